package com.plugsky.crypto.kms.gcp;

import com.plugsky.crypto.kms.call.CallAudit;
import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.StatusCode;
import com.google.api.gax.rpc.UnaryCallSettings;
import com.google.cloud.kms.v1.DecryptRequest;
import com.google.cloud.kms.v1.DecryptResponse;
import com.google.cloud.kms.v1.EncryptRequest;
import com.google.cloud.kms.v1.EncryptResponse;
import com.google.cloud.kms.v1.KeyManagementServiceClient;
import com.google.cloud.kms.v1.KeyManagementServiceSettings;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.GcpKmsKeyRef;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.Bytes;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The {@code gcp-kms:} key wrapper: data keys encrypted by a Google Cloud KMS symmetric key through
 * the Google Cloud client ({@code KeyManagementServiceClient}, gRPC).
 *
 * <h2>Calls and context</h2>
 *
 * {@link #wrap} is {@code Encrypt} and {@link #unwrap} {@code Decrypt}, each with {@code
 * additional_authenticated_data} = the {@link EncryptionContext} canonical encoding, so Cloud KMS
 * refuses to decrypt under another context ({@link AuthenticationFailedException}). Encrypt names
 * the KeyRef as given (a {@code /cryptoKeyVersions/n} KeyRef encrypts under that version, otherwise
 * the primary); decrypt names the crypto key, since the ciphertext records its version. Cloud KMS
 * has no re-encrypt or data-key call, so {@code generateDataKey} and {@code rewrap} take the
 * interface defaults. The wrapped bytes are Cloud KMS's ciphertext, unchanged.
 *
 * <h2>Integrity in transit</h2>
 *
 * Requests carry CRC32C of the plaintext (or ciphertext) and of the AAD; the wrapper checks the
 * response's {@code verified_*_crc32c} flags and {@code ciphertext_crc32c} (encrypt) or {@code
 * plaintext_crc32c} (decrypt). A mismatch, or Cloud KMS refusing a request with {@code
 * INVALID_ARGUMENT} because a checksum did not match its data, means bytes were damaged between
 * here and Cloud KMS, so it is a {@link KeyUnavailableException} and retried, as Google's
 * integrity guide advises; the damaged result is discarded (and zeroed).
 *
 * <h2>Failures</h2>
 *
 * The {@link RetryPolicy} owns retries: the client's own are turned off and each call gets the
 * policy's attempt timeout as its deadline. {@code RESOURCE_EXHAUSTED}, {@code UNAVAILABLE}, {@code
 * DEADLINE_EXCEEDED}, {@code INTERNAL}, {@code ABORTED} and {@code UNKNOWN} are {@link
 * KeyUnavailableException} (retried); {@code PERMISSION_DENIED}, {@code UNAUTHENTICATED} and {@code
 * FAILED_PRECONDITION} (a disabled or destroyed key version) are {@link KeyAccessDeniedException};
 * other {@code INVALID_ARGUMENT} on decrypt is {@link AuthenticationFailedException} (wrong key,
 * context or modified ciphertext), on encrypt {@link InvalidInputException}; {@code NOT_FOUND} (no
 * such key or key ring) is {@link ConfigurationException}: it is not transient, and retrying cannot
 * help. Every call is reported to the {@link AuditSink} with backend {@value #BACKEND} and the
 * key's location as region. Thread-safe; {@link #close()} shuts the client down.
 */
public final class GcpKmsKeyWrapper implements KeyWrapper, AutoCloseable {
  /** The audit backend name. */
  public static final String BACKEND = "gcp-kms";

  /** Cloud KMS ciphertexts for a 64-byte key stay well under this; larger input is not ours. */
  private static final int MAX_CIPHERTEXT_LENGTH = 8192;

  private static final Set<StatusCode.Code> TRANSIENT =
      Set.of(
          StatusCode.Code.RESOURCE_EXHAUSTED,
          StatusCode.Code.UNAVAILABLE,
          StatusCode.Code.DEADLINE_EXCEEDED,
          StatusCode.Code.INTERNAL,
          StatusCode.Code.ABORTED,
          StatusCode.Code.UNKNOWN);

  private final KeyManagementServiceClient client;
  private final RetryPolicy retryPolicy;
  private final CallAudit audit;

  private GcpKmsKeyWrapper(
      KeyManagementServiceClient client, RetryPolicy retryPolicy, AuditSink sink) {
    this.client = client;
    this.retryPolicy = retryPolicy;
    this.audit = new CallAudit(sink, BACKEND);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.GCP_KMS;
  }

  @Override
  public WrappedKey wrap(KeyRef keyRef, byte[] dataKey, EncryptionContext context) {
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(dataKey, "dataKey");
    Objects.requireNonNull(context, "context");
    return audit.record(
        Operation.WRAP,
        keyRef,
        dataKey.length,
        () -> {
          GcpKmsKeyRef key = requireGcp(keyRef);
          KeyWrapper.requireDataKeyLength(dataKey.length);
          return retryPolicy.call(
              "Cloud KMS encrypt under " + key, () -> encrypt(key, dataKey, context));
        });
  }

  @Override
  public byte[] unwrap(WrappedKey wrappedKey, EncryptionContext context) {
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(context, "context");
    return audit.record(
        Operation.UNWRAP,
        wrappedKey.keyRef(),
        () -> {
          GcpKmsKeyRef key = requireGcp(wrappedKey.keyRef());
          byte[] ciphertext = wrappedKey.bytes();
          if (ciphertext.length == 0 || ciphertext.length > MAX_CIPHERTEXT_LENGTH) {
            throw new MalformedCiphertextException(
                "wrapped key under "
                    + key
                    + " is "
                    + ciphertext.length
                    + " bytes; Cloud KMS ciphertexts are 1.."
                    + MAX_CIPHERTEXT_LENGTH);
          }
          return retryPolicy.call(
              "Cloud KMS decrypt under " + key, () -> decrypt(key, ciphertext, context));
        },
        dataKey -> dataKey.length,
        Bytes::zero);
  }

  private WrappedKey encrypt(GcpKmsKeyRef key, byte[] dataKey, EncryptionContext context) {
    byte[] aad = context.encoded();
    EncryptRequest request =
        EncryptRequest.newBuilder()
            .setName(key.toString().substring(KeyRefScheme.GCP_KMS.prefix().length()))
            .setPlaintext(ByteString.copyFrom(dataKey))
            .setPlaintextCrc32C(crc32c(dataKey))
            .setAdditionalAuthenticatedData(ByteString.copyFrom(aad))
            .setAdditionalAuthenticatedDataCrc32C(crc32c(aad))
            .build();
    EncryptResponse response;
    try {
      response = client.encrypt(request);
    } catch (ApiException e) {
      throw failure("encrypt", key, e, false);
    }
    byte[] ciphertext = response.getCiphertext().toByteArray();
    if (!response.getVerifiedPlaintextCrc32C()
        || !response.getVerifiedAdditionalAuthenticatedDataCrc32C()
        || !response.hasCiphertextCrc32C()
        || response.getCiphertextCrc32C().getValue() != crc32c(ciphertext).getValue()) {
      throw new KeyUnavailableException(
          "Cloud KMS encrypt under "
              + key
              + " failed its CRC32C integrity check in transit (request or response damaged)");
    }
    return new WrappedKey(key, ciphertext);
  }

  private byte[] decrypt(GcpKmsKeyRef key, byte[] ciphertext, EncryptionContext context) {
    byte[] aad = context.encoded();
    DecryptRequest request =
        DecryptRequest.newBuilder()
            .setName(key.cryptoKeyName())
            .setCiphertext(ByteString.copyFrom(ciphertext))
            .setCiphertextCrc32C(crc32c(ciphertext))
            .setAdditionalAuthenticatedData(ByteString.copyFrom(aad))
            .setAdditionalAuthenticatedDataCrc32C(crc32c(aad))
            .build();
    DecryptResponse response;
    try {
      response = client.decrypt(request);
    } catch (ApiException e) {
      throw failure("decrypt", key, e, true);
    }
    byte[] plaintext = response.getPlaintext().toByteArray();
    if (!response.hasPlaintextCrc32C()
        || response.getPlaintextCrc32C().getValue() != crc32c(plaintext).getValue()) {
      Bytes.zero(plaintext);
      throw new KeyUnavailableException(
          "Cloud KMS decrypt under "
              + key
              + " failed its CRC32C integrity check in transit (response damaged)");
    }
    if (plaintext.length < MIN_DATA_KEY_LENGTH || plaintext.length > MAX_DATA_KEY_LENGTH) {
      int length = plaintext.length;
      Bytes.zero(plaintext);
      throw new MalformedCiphertextException(
          "wrapped key under " + key + " holds " + length + " bytes, not a data key");
    }
    return plaintext;
  }

  private static CryptoException failure(
      String call, GcpKmsKeyRef key, ApiException e, boolean decrypts) {
    StatusCode.Code code = e.getStatusCode().getCode();
    String what = "Cloud KMS " + call + " under " + key + " failed with " + code;
    if (TRANSIENT.contains(code)) {
      return new KeyUnavailableException(what, e);
    }
    if (code == StatusCode.Code.INVALID_ARGUMENT && mentionsChecksum(e)) {
      // Cloud KMS found the request's data no longer matches the CRC32C sent with it: damage in
      // transit, which the next attempt does not repeat.
      return new KeyUnavailableException(
          what + ": the request failed its CRC32C integrity check in transit (request damaged)",
          e);
    }
    return switch (code) {
      case PERMISSION_DENIED, UNAUTHENTICATED ->
          new KeyAccessDeniedException(
              what + ": the credentials lack cloudkms.cryptoKeyVersions.use" + call + " on the key",
              e);
      case FAILED_PRECONDITION ->
          new KeyAccessDeniedException(what + ": the key version is disabled or destroyed", e);
      case INVALID_ARGUMENT ->
          decrypts
              ? new AuthenticationFailedException(
                  "Cloud KMS could not decrypt under "
                      + key
                      + ": a different key or encryption context than at wrap time, or modified"
                      + " wrapped bytes",
                  e)
              : new InvalidInputException(what, e);
      case NOT_FOUND -> new ConfigurationException(what + ": no such key or key ring", e);
      default -> new ConfigurationException(what, e);
    };
  }

  /** Whether the status description says a checksum did not match, as Cloud KMS words it. */
  private static boolean mentionsChecksum(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.toLowerCase(Locale.ROOT).contains("checksum")) {
        return true;
      }
    }
    return false;
  }

  private static Int64Value crc32c(byte[] bytes) {
    CRC32C crc = new CRC32C();
    crc.update(bytes);
    return Int64Value.of(crc.getValue());
  }

  private static GcpKmsKeyRef requireGcp(KeyRef keyRef) {
    if (keyRef instanceof GcpKmsKeyRef gcp) {
      return gcp;
    }
    throw new InvalidInputException(
        "the Cloud KMS key wrapper serves gcp-kms: KeyRefs only, not " + keyRef.scheme().prefix());
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public String toString() {
    return "GcpKmsKeyWrapper[endpoint=" + client.getSettings().getEndpoint() + "]";
  }

  /**
   * Configures a {@link GcpKmsKeyWrapper}. Without {@link #settings}, the client uses Cloud KMS's
   * default endpoint and Google application default credentials.
   */
  public static final class Builder {
    private KeyManagementServiceSettings settings;
    private String endpoint;
    private CredentialsProvider credentials;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private AuditSink auditSink = AuditSink.NONE;

    private Builder() {}

    /**
     * Client settings to start from (transport, endpoint, credentials); the wrapper replaces the
     * retry settings of Encrypt and Decrypt with one attempt bounded by the retry policy's attempt
     * timeout.
     */
    public Builder settings(KeyManagementServiceSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** The endpoint, e.g. a regional {@code cloudkms.europe-west1.rep.googleapis.com:443}. */
    public Builder endpoint(String endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      return this;
    }

    /** Credentials instead of application default credentials. */
    public Builder credentialsProvider(CredentialsProvider credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Attempts, backoff and the per-call deadline; {@link RetryPolicy#defaults()} by default. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** Receives an event per call; {@link AuditSink#NONE} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    /**
     * @throws ConfigurationException when the client cannot be created (e.g. no default
     *     credentials)
     */
    public GcpKmsKeyWrapper build() {
      try {
        KeyManagementServiceSettings.Builder builder =
            settings == null ? KeyManagementServiceSettings.newBuilder() : settings.toBuilder();
        if (endpoint != null) {
          builder.setEndpoint(endpoint);
        }
        if (credentials != null) {
          builder.setCredentialsProvider(credentials);
        }
        oneAttempt(builder.encryptSettings(), retryPolicy.attemptTimeout());
        oneAttempt(builder.decryptSettings(), retryPolicy.attemptTimeout());
        return new GcpKmsKeyWrapper(
            KeyManagementServiceClient.create(builder.build()), retryPolicy, auditSink);
      } catch (IOException | RuntimeException e) {
        throw new ConfigurationException("cannot create the Cloud KMS client: " + e, e);
      }
    }

    private static void oneAttempt(UnaryCallSettings.Builder<?, ?> call, Duration timeout) {
      call.setRetryableCodes(Set.of())
          .setRetrySettings(
              RetrySettings.newBuilder()
                  .setMaxAttempts(1)
                  .setTotalTimeoutDuration(timeout)
                  .setInitialRpcTimeoutDuration(timeout)
                  .setMaxRpcTimeoutDuration(timeout)
                  .setRpcTimeoutMultiplier(1.0)
                  .build());
    }
  }
}
