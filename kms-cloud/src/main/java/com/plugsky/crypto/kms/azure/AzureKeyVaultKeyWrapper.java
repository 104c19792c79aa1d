package com.plugsky.crypto.kms.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.security.keyvault.keys.cryptography.CryptographyClient;
import com.azure.security.keyvault.keys.cryptography.CryptographyClientBuilder;
import com.azure.security.keyvault.keys.cryptography.models.WrapResult;
import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.audit.AuditedOperation;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.AzureKeyVaultKeyRef;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.CryptoRandom;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * The {@code azure-kv:} key wrapper: data keys protected by an Azure Key Vault or Managed HSM key,
 * through the Azure SDK's {@link CryptographyClient} on the JDK HTTP client.
 *
 * <h2>How the context is bound</h2>
 *
 * Key Vault's wrapKey and unwrapKey take no associated data, so the data key never goes to Key
 * Vault. Each wrap draws a fresh random 256-bit intermediate key, has Key Vault wrap that
 * (RSA-OAEP-256, or A256KW for Managed HSM oct-HSM keys), and seals the data key here with
 * AES-256-GCM under
 *
 * <pre>
 *   sealKey = HKDF-SHA256(IKM  = intermediate key,
 *                         salt = none (RFC 5869: 32 zero bytes),
 *                         info = "plugsky azure-kv wrap v1" || u16 length || versioned key URL
 *                                || context.encoded(),
 *                         L    = 32)
 *   AAD     = the wrapped key's header (format version .. wrapped intermediate key) || KeyRef URI
 * </pre>
 *
 * A different context, key version or KeyRef, or any changed byte, fails the GCM tag: {@link
 * AuthenticationFailedException}. The layout is in docs/FORMAT.md ("azure-kv wrapped keys").
 * Wrapping under a KeyRef without a version uses the key's current version and records it, so
 * unwrapping after a rotation asks Key Vault for the version that wrapped.
 *
 * <h2>Calls</h2>
 *
 * Every Key Vault operation runs on the service (the SDK's local cryptography with a downloaded
 * public key is turned off), so the vault's access policy, key state and logs cover every wrap. The
 * SDK's own retries are off: {@link RetryPolicy} repeats throttling, 5xx and connection failures
 * with jittered backoff, bounding each attempt by {@link RetryPolicy#attemptTimeout()} (connect,
 * response and read timeouts of the HTTP client). Failures map as {@link KeyVaultFailures} says.
 * Tokens come from the {@link TokenCredential} (default: {@code DefaultAzureCredential}) and are
 * never logged; the SDK's HTTP logging stays off.
 *
 * <p>Every call is reported to the {@link AuditSink} as a {@code WRAP} or {@code UNWRAP} event with
 * backend {@code azure-kv}. Thread-safe.
 */
public final class AzureKeyVaultKeyWrapper implements KeyWrapper {
  /** System property naming the wrap algorithm for wrappers the provider creates. */
  public static final String ALGORITHM_PROPERTY = "plugsky.crypto.azure.wrap-algorithm";

  static final String BACKEND = "azure-kv";
  private static final byte[] INFO_LABEL =
      "plugsky azure-kv wrap v1".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern KID_VERSION = Pattern.compile(".*/keys/[^/]+/([0-9a-f]{32})/?");
  // One client per key version in use; a bound keeps a stream of distinct versions from growing it.
  private static final int MAX_CLIENTS = 1024;

  private final TokenCredential credential;
  private final KeyVaultWrapAlgorithm algorithm;
  private final RetryPolicy retryPolicy;
  private final AuditSink auditSink;
  private final Optional<URI> endpoint;
  private final HttpClient httpClient;
  private final SymmetricPrimitives primitives;
  private final ConcurrentMap<String, CryptographyClient> clients = new ConcurrentHashMap<>();

  private AzureKeyVaultKeyWrapper(Builder builder, TokenCredential credential) {
    this.credential = credential;
    this.algorithm = builder.algorithm;
    this.retryPolicy = builder.retryPolicy;
    this.auditSink = builder.auditSink;
    this.endpoint = Optional.ofNullable(builder.endpoint);
    Duration timeout = retryPolicy.attemptTimeout();
    java.net.http.HttpClient.Builder jdk = java.net.http.HttpClient.newBuilder();
    if (builder.sslContext != null) {
      jdk.sslContext(builder.sslContext);
    }
    this.httpClient =
        new JdkHttpClientBuilder(jdk)
            .connectionTimeout(timeout)
            .responseTimeout(timeout)
            .readTimeout(timeout)
            .writeTimeout(timeout)
            .build();
    this.primitives = Engines.defaultEngine().primitives();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.AZURE_KV;
  }

  /** The algorithm new wraps use; unwrapping uses the one each wrapped key records. */
  public KeyVaultWrapAlgorithm algorithm() {
    return algorithm;
  }

  @Override
  public WrappedKey wrap(KeyRef keyRef, byte[] dataKey, EncryptionContext context) {
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(dataKey, "dataKey");
    Objects.requireNonNull(context, "context");
    return audited(
        Operation.WRAP,
        keyRef,
        dataKey.length,
        () -> {
          AzureKeyVaultKeyRef azure = requireAzure(keyRef);
          KeyWrapper.requireDataKeyLength(dataKey.length);
          return new WrappedKey(keyRef, wrapChecked(azure, dataKey, context));
        });
  }

  @Override
  public byte[] unwrap(WrappedKey wrappedKey, EncryptionContext context) {
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(context, "context");
    KeyRef keyRef = wrappedKey.keyRef();
    byte[] dataKey =
        audited(
            Operation.UNWRAP,
            keyRef,
            0,
            () -> unwrapChecked(requireAzure(keyRef), wrappedKey.bytes(), context));
    return dataKey;
  }

  private byte[] wrapChecked(
      AzureKeyVaultKeyRef keyRef, byte[] dataKey, EncryptionContext context) {
    byte[] intermediateKey = CryptoRandom.bytes(KeyVaultWrappedKey.INTERMEDIATE_KEY_LENGTH);
    byte[] sealKey = null;
    try {
      CryptographyClient client = client(keyRef, keyRef.version());
      String operation = "wrapKey under " + keyRef;
      WrapResult result =
          retryPolicy.call(
              operation,
              () -> {
                try {
                  return client.wrapKey(algorithm.sdkAlgorithm(), intermediateKey);
                } catch (RuntimeException e) {
                  throw KeyVaultFailures.map(operation, e, false);
                }
              });
      String version = versionOf(keyRef, result.getKeyId());
      byte[] wrappedIntermediateKey = result.getEncryptedKey();
      if (wrappedIntermediateKey == null
          || !algorithm.acceptsWrappedLength(wrappedIntermediateKey.length)) {
        throw new ConfigurationException(
            operation
                + ": Key Vault returned a wrapping of unexpected length for "
                + algorithm.joseName());
      }
      byte[] header = KeyVaultWrappedKey.header(algorithm, version, wrappedIntermediateKey);
      sealKey = deriveSealKey(intermediateKey, keyRef, version, context);
      byte[] sealed;
      try (Aead aead = Engines.newAead(sealKey)) {
        sealed = aead.encrypt(dataKey, associatedData(header, keyRef));
      }
      return new KeyVaultWrappedKey(algorithm, version, wrappedIntermediateKey, sealed).encoded();
    } finally {
      Bytes.zero(intermediateKey);
      Bytes.zero(sealKey);
    }
  }

  private byte[] unwrapChecked(
      AzureKeyVaultKeyRef keyRef, byte[] bytes, EncryptionContext context) {
    KeyVaultWrappedKey parsed = KeyVaultWrappedKey.parse(bytes);
    if (keyRef.version().isPresent() && !keyRef.version().get().equals(parsed.keyVersion())) {
      throw new AuthenticationFailedException(
          "the wrapped key records key version "
              + parsed.keyVersion()
              + " but its KeyRef "
              + keyRef
              + " pins another: the bytes were modified or belong to another KeyRef");
    }
    CryptographyClient client = client(keyRef, Optional.of(parsed.keyVersion()));
    String operation = "unwrapKey under " + keyRef + " version " + parsed.keyVersion();
    byte[] intermediateKey = null;
    byte[] sealKey = null;
    try {
      intermediateKey =
          retryPolicy.call(
              operation,
              () -> {
                try {
                  return client
                      .unwrapKey(parsed.algorithm().sdkAlgorithm(), parsed.wrappedIntermediateKey())
                      .getKey();
                } catch (RuntimeException e) {
                  throw KeyVaultFailures.map(operation, e, true);
                }
              });
      if (intermediateKey == null
          || intermediateKey.length != KeyVaultWrappedKey.INTERMEDIATE_KEY_LENGTH) {
        throw new AuthenticationFailedException(
            operation + ": Key Vault unwrapped a key of the wrong length");
      }
      sealKey = deriveSealKey(intermediateKey, keyRef, parsed.keyVersion(), context);
      try (Aead aead = Engines.newAead(sealKey)) {
        return aead.decrypt(parsed.sealedDataKey(), associatedData(parsed.header(), keyRef));
      } catch (AuthenticationFailedException e) {
        throw new AuthenticationFailedException(
            "azure-kv wrapped key under "
                + keyRef
                + " failed its integrity check: a different encryption context than at wrap time,"
                + " another KeyRef, or modified wrapped bytes",
            e);
      }
    } finally {
      Bytes.zero(intermediateKey);
      Bytes.zero(sealKey);
    }
  }

  private byte[] deriveSealKey(
      byte[] intermediateKey,
      AzureKeyVaultKeyRef keyRef,
      String version,
      EncryptionContext context) {
    byte[] keyUrl =
        (keyRef.vaultUrl() + "/keys/" + keyRef.keyName() + "/" + version)
            .getBytes(StandardCharsets.US_ASCII);
    byte[] encodedContext = context.encoded();
    byte[] info =
        ByteBuffer.allocate(INFO_LABEL.length + 2 + keyUrl.length + encodedContext.length)
            .put(INFO_LABEL)
            .putShort((short) keyUrl.length)
            .put(keyUrl)
            .put(encodedContext)
            .array();
    return primitives.hkdfSha256(intermediateKey, new byte[0], info, Aead.KEY_LENGTH);
  }

  private static byte[] associatedData(byte[] header, KeyRef keyRef) {
    byte[] name = keyRef.toString().getBytes(StandardCharsets.US_ASCII);
    return ByteBuffer.allocate(header.length + name.length).put(header).put(name).array();
  }

  private static String versionOf(AzureKeyVaultKeyRef keyRef, String keyId) {
    Matcher kid = keyId == null ? null : KID_VERSION.matcher(keyId);
    if (kid != null && kid.matches()) {
      String version = kid.group(1);
      if (keyRef.version().isPresent() && !keyRef.version().get().equals(version)) {
        throw new ConfigurationException(
            "Key Vault wrapped under version " + version + " although " + keyRef + " pins another");
      }
      return version;
    }
    return keyRef
        .version()
        .orElseThrow(
            () ->
                new ConfigurationException(
                    "wrapKey under "
                        + keyRef
                        + ": Key Vault's answer names no key version, so the wrapping could not be"
                        + " unwrapped after a rotation"));
  }

  private CryptographyClient client(AzureKeyVaultKeyRef keyRef, Optional<String> version) {
    String base = endpoint.map(URI::toString).orElse(keyRef.vaultUrl());
    String keyId =
        (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
            + "/keys/"
            + keyRef.keyName()
            + version.map(v -> "/" + v).orElse("");
    CryptographyClient cached = clients.get(keyId);
    if (cached != null) {
      return cached;
    }
    if (clients.size() >= MAX_CLIENTS) {
      clients.clear();
    }
    return clients.computeIfAbsent(keyId, this::newClient);
  }

  private CryptographyClient newClient(String keyId) {
    CryptographyClientBuilder builder =
        new CryptographyClientBuilder()
            .keyIdentifier(keyId)
            .credential(credential)
            .httpClient(httpClient)
            .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ZERO)))
            .disableKeyCaching();
    if (endpoint.isPresent()) {
      // The check guards against a vault URL from untrusted input receiving a token meant for
      // Key Vault; an endpoint is set explicitly by whoever configures this wrapper.
      builder.disableChallengeResourceVerification();
    }
    return builder.buildClient();
  }

  private static AzureKeyVaultKeyRef requireAzure(KeyRef keyRef) {
    if (keyRef instanceof AzureKeyVaultKeyRef azure) {
      return azure;
    }
    throw new InvalidInputException(
        "the Azure Key Vault key wrapper serves azure-kv: KeyRefs only, not "
            + keyRef.scheme().prefix());
  }

  private <T> T audited(Operation operation, KeyRef keyRef, int bytes, Supplier<T> body) {
    AuditedOperation audit =
        AuditedOperation.of(operation, BACKEND).withKeyRef(keyRef.toString()).withBytes(bytes);
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    T result;
    try {
      result = body.get();
    } catch (RuntimeException failure) {
      try {
        auditSink.record(
            audit.event(
                started,
                Duration.ofNanos(System.nanoTime() - startNanos),
                AuditedOperation.outcomeOf(failure)));
      } catch (RuntimeException sinkFailure) {
        failure.addSuppressed(sinkFailure);
      }
      throw failure;
    }
    long resultBytes = result instanceof byte[] key ? key.length : bytes;
    try {
      auditSink.record(
          audit
              .withBytes(resultBytes)
              .event(started, Duration.ofNanos(System.nanoTime() - startNanos), Outcome.SUCCESS));
    } catch (RuntimeException sinkFailure) {
      if (result instanceof byte[] key) {
        Bytes.zero(key);
      }
      throw sinkFailure;
    }
    return result;
  }

  @Override
  public String toString() {
    return "AzureKeyVaultKeyWrapper[algorithm="
        + algorithm.joseName()
        + endpoint.map(e -> ", endpoint=" + e).orElse("")
        + "]";
  }

  /** Configures an {@link AzureKeyVaultKeyWrapper}; every setting has a default. */
  public static final class Builder {
    private TokenCredential credential;
    private KeyVaultWrapAlgorithm algorithm = KeyVaultWrapAlgorithm.RSA_OAEP_256;
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private AuditSink auditSink = AuditSink.NONE;
    private URI endpoint;
    private SSLContext sslContext;

    private Builder() {}

    /**
     * Who calls Key Vault; by default {@code DefaultAzureCredential} (environment, managed
     * identity, CLI).
     */
    public Builder credential(TokenCredential credential) {
      this.credential = Objects.requireNonNull(credential, "credential");
      return this;
    }

    /** How new wraps protect the intermediate key: RSA-OAEP-256 (default) or A256KW. */
    public Builder algorithm(KeyVaultWrapAlgorithm algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /** Retries and per-attempt timeouts; {@link RetryPolicy#defaults()} by default. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** Receives an event per wrap and unwrap; {@link AuditSink#NONE} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    /**
     * Sends every request to {@code endpoint} ({@code https://host[:port]}) instead of the host in
     * the KeyRef: a private endpoint, or a test server. KeyRefs, wrapped keys and the context
     * binding keep naming the vault, so wrapped keys stay valid when the endpoint changes.
     */
    public Builder endpoint(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      if (!"https".equalsIgnoreCase(endpoint.getScheme())
          || endpoint.getHost() == null
          || endpoint.getRawQuery() != null
          || endpoint.getRawFragment() != null
          || !(endpoint.getRawPath() == null
              || endpoint.getRawPath().isEmpty()
              || endpoint.getRawPath().equals("/"))) {
        throw new InvalidInputException(
            "Key Vault endpoint must be https://host[:port] with no path, query or fragment");
      }
      this.endpoint = endpoint;
      return this;
    }

    /** TLS trust for the endpoint (a private CA); the JDK's default trust store otherwise. */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * @throws ConfigurationException when no engine is available for AES-GCM and HKDF
     */
    public AzureKeyVaultKeyWrapper build() {
      TokenCredential chosen =
          credential != null ? credential : new DefaultAzureCredentialBuilder().build();
      return new AzureKeyVaultKeyWrapper(this, chosen);
    }
  }
}
