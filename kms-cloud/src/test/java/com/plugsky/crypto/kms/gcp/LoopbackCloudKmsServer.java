package com.plugsky.crypto.kms.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Cloud KMS's {@code google.cloud.kms.v1.KeyManagementService} Encrypt and Decrypt on 127.0.0.1
 * (plaintext gRPC) for tests, with the real cryptography: AES-256-GCM per crypto key version, the
 * request's additional authenticated data as GCM AAD, the CRC32C fields checked on requests and
 * filled in on responses. The service definition is built from the proto messages, since the
 * generated gRPC stubs are not served here. Faults are queued per call: a status, a hang, or a
 * response with a damaged CRC32C.
 */
final class LoopbackCloudKmsServer implements AutoCloseable {
  private static final String SERVICE = "google.cloud.kms.v1.KeyManagementService";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int NONCE_LENGTH = 12;

  private static final MethodDescriptor<EncryptRequest, EncryptResponse> ENCRYPT =
      MethodDescriptor.<EncryptRequest, EncryptResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Encrypt"))
          .setRequestMarshaller(ProtoUtils.marshaller(EncryptRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(EncryptResponse.getDefaultInstance()))
          .build();
  private static final MethodDescriptor<DecryptRequest, DecryptResponse> DECRYPT =
      MethodDescriptor.<DecryptRequest, DecryptResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Decrypt"))
          .setRequestMarshaller(ProtoUtils.marshaller(DecryptRequest.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(DecryptResponse.getDefaultInstance()))
          .build();

  /** What the next call does instead of answering normally. */
  enum Fault {
    HANG,
    /** The response's CRC32C no longer matches its data. */
    DAMAGED_CRC,
    /** A byte of the request's data flips on the way in, so its CRC32C no longer matches. */
    DAMAGED_REQUEST
  }

  private final Server server;
  private final Map<String, List<byte[]>> keys = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Object> faults = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  LoopbackCloudKmsServer() throws IOException {
    ServerServiceDefinition service =
        ServerServiceDefinition.builder(SERVICE)
            .addMethod(
                ENCRYPT,
                ServerCalls.asyncUnaryCall(
                    (request, out) -> answer("Encrypt", request, out, this::encrypt)))
            .addMethod(
                DECRYPT,
                ServerCalls.asyncUnaryCall(
                    (request, out) -> answer("Decrypt", request, out, this::decrypt)))
            .build();
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(service)
            .build()
            .start();
  }

  /** Client settings for this server: plaintext to 127.0.0.1, no credentials. */
  KeyManagementServiceSettings settings() throws IOException {
    return KeyManagementServiceSettings.newBuilder()
        .setCredentialsProvider(NoCredentialsProvider.create())
        .setTransportChannelProvider(
            KeyManagementServiceSettings.defaultGrpcTransportProviderBuilder()
                .setEndpoint("127.0.0.1:" + server.getPort())
                .setChannelConfigurator(ManagedChannelBuilder::usePlaintext)
                .build())
        .build();
  }

  /** Creates a crypto key, e.g. {@code projects/p/locations/l/keyRings/r/cryptoKeys/k}. */
  void createKey(String cryptoKeyName) {
    keys.put(cryptoKeyName, new ArrayList<>());
    rotate(cryptoKeyName);
  }

  /** Adds a version and makes it primary. */
  void rotate(String cryptoKeyName) {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    List<byte[]> versions = keys.get(cryptoKeyName);
    synchronized (versions) {
      versions.add(key);
    }
  }

  void failNext(int count, Status.Code code) {
    for (int i = 0; i < count; i++) {
      faults.add(code);
    }
  }

  void faultNext(int count, Fault fault) {
    for (int i = 0; i < count; i++) {
      faults.add(fault);
    }
  }

  int calls(String method) {
    return calls.getOrDefault(method, new AtomicInteger()).get();
  }

  @FunctionalInterface
  private interface Handler<R, T> {
    T handle(R request) throws StatusException;
  }

  private <R, T> void answer(
      String method, R request, StreamObserver<T> out, Handler<R, T> handler) {
    calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
    Object fault = faults.poll();
    if (fault == Fault.HANG) {
      return; // the call stays open until the client's deadline or the server's shutdown
    }
    if (fault instanceof Status.Code code) {
      out.onError(code.toStatus().withDescription("injected " + code).asRuntimeException());
      return;
    }
    T response;
    try {
      response = handler.handle(fault == Fault.DAMAGED_REQUEST ? damagedRequest(request) : request);
    } catch (StatusException e) {
      out.onError(e);
      return;
    }
    out.onNext(fault == Fault.DAMAGED_CRC ? damaged(response) : response);
    out.onCompleted();
  }

  @SuppressWarnings("unchecked")
  private static <R> R damagedRequest(R request) {
    return switch (request) {
      case EncryptRequest e ->
          (R) e.toBuilder().setPlaintext(flipFirstBit(e.getPlaintext())).build();
      case DecryptRequest d ->
          (R) d.toBuilder().setCiphertext(flipFirstBit(d.getCiphertext())).build();
      default -> request;
    };
  }

  private static ByteString flipFirstBit(ByteString data) {
    byte[] bytes = data.toByteArray();
    bytes[0] ^= 1;
    return ByteString.copyFrom(bytes);
  }

  @SuppressWarnings("unchecked")
  private static <T> T damaged(T response) {
    return switch (response) {
      case EncryptResponse e ->
          (T)
              e.toBuilder()
                  .setCiphertextCrc32C(Int64Value.of(e.getCiphertextCrc32C().getValue() ^ 1))
                  .build();
      case DecryptResponse d ->
          (T)
              d.toBuilder()
                  .setPlaintextCrc32C(Int64Value.of(d.getPlaintextCrc32C().getValue() ^ 1))
                  .build();
      default -> response;
    };
  }

  private EncryptResponse encrypt(EncryptRequest request) throws StatusException {
    String name = request.getName();
    String cryptoKey = name.replaceFirst("/cryptoKeyVersions/[0-9]+$", "");
    List<byte[]> versions = versions(cryptoKey);
    int version;
    synchronized (versions) {
      version =
          name.equals(cryptoKey)
              ? versions.size()
              : Integer.parseInt(name.substring(name.lastIndexOf('/') + 1));
      if (version < 1 || version > versions.size()) {
        throw Status.NOT_FOUND.withDescription(name + " not found").asException();
      }
    }
    byte[] plaintext = request.getPlaintext().toByteArray();
    byte[] aad = request.getAdditionalAuthenticatedData().toByteArray();
    checkCrc(
        request.hasPlaintextCrc32C(), request.getPlaintextCrc32C(), plaintext, "plaintext_crc32c");
    checkCrc(
        request.hasAdditionalAuthenticatedDataCrc32C(),
        request.getAdditionalAuthenticatedDataCrc32C(),
        aad,
        "additional_authenticated_data_crc32c");
    byte[] nonce = new byte[NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    byte[] sealed = gcm(Cipher.ENCRYPT_MODE, versionKey(versions, version), nonce, aad, plaintext);
    byte[] ciphertext =
        ByteBuffer.allocate(4 + NONCE_LENGTH + sealed.length)
            .putInt(version)
            .put(nonce)
            .put(sealed)
            .array();
    return EncryptResponse.newBuilder()
        .setName(cryptoKey + "/cryptoKeyVersions/" + version)
        .setCiphertext(ByteString.copyFrom(ciphertext))
        .setCiphertextCrc32C(crc32c(ciphertext))
        .setVerifiedPlaintextCrc32C(request.hasPlaintextCrc32C())
        .setVerifiedAdditionalAuthenticatedDataCrc32C(
            request.hasAdditionalAuthenticatedDataCrc32C())
        .build();
  }

  private DecryptResponse decrypt(DecryptRequest request) throws StatusException {
    List<byte[]> versions = versions(request.getName());
    byte[] ciphertext = request.getCiphertext().toByteArray();
    byte[] aad = request.getAdditionalAuthenticatedData().toByteArray();
    checkCrc(
        request.hasCiphertextCrc32C(),
        request.getCiphertextCrc32C(),
        ciphertext,
        "ciphertext_crc32c");
    checkCrc(
        request.hasAdditionalAuthenticatedDataCrc32C(),
        request.getAdditionalAuthenticatedDataCrc32C(),
        aad,
        "additional_authenticated_data_crc32c");
    if (ciphertext.length < 4 + NONCE_LENGTH + 16) {
      throw invalidCiphertext();
    }
    ByteBuffer buffer = ByteBuffer.wrap(ciphertext);
    int version = buffer.getInt();
    byte[] nonce = new byte[NONCE_LENGTH];
    buffer.get(nonce);
    byte[] sealed = new byte[buffer.remaining()];
    buffer.get(sealed);
    byte[] key;
    synchronized (versions) {
      if (version < 1 || version > versions.size()) {
        throw invalidCiphertext();
      }
      key = versionKey(versions, version);
    }
    byte[] plaintext = gcm(Cipher.DECRYPT_MODE, key, nonce, aad, sealed);
    return DecryptResponse.newBuilder()
        .setPlaintext(ByteString.copyFrom(plaintext))
        .setPlaintextCrc32C(crc32c(plaintext))
        .setUsedPrimary(version == versions.size())
        .build();
  }

  private List<byte[]> versions(String cryptoKey) throws StatusException {
    List<byte[]> versions = keys.get(cryptoKey);
    if (versions == null) {
      throw Status.NOT_FOUND.withDescription(cryptoKey + " not found").asException();
    }
    return versions;
  }

  private static byte[] versionKey(List<byte[]> versions, int version) {
    synchronized (versions) {
      return versions.get(version - 1);
    }
  }

  private static void checkCrc(boolean present, Int64Value crc, byte[] data, String field)
      throws StatusException {
    if (present && crc.getValue() != crc32c(data).getValue()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("The checksum in field " + field + " did not match the data")
          .asException();
    }
  }

  private static StatusException invalidCiphertext() {
    return Status.INVALID_ARGUMENT
        .withDescription("Decryption failed: the ciphertext is invalid.")
        .asException();
  }

  private static byte[] gcm(int mode, byte[] key, byte[] nonce, byte[] aad, byte[] input)
      throws StatusException {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      cipher.updateAAD(aad);
      return cipher.doFinal(input);
    } catch (AEADBadTagException e) {
      throw invalidCiphertext();
    } catch (GeneralSecurityException e) {
      throw Status.INTERNAL.withCause(e).asException();
    }
  }

  private static Int64Value crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return Int64Value.of(crc.getValue());
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
