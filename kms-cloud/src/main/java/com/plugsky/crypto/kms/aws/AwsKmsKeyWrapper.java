package com.plugsky.crypto.kms.aws;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.audit.AuditedOperation;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.AwsKmsKeyRef;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.Bytes;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.ReEncryptResponse;

/**
 * The {@code aws-kms:} key wrapper: data keys wrapped by AWS KMS symmetric keys, through the AWS
 * SDK for Java v2 on the JDK's URLConnection HTTP client.
 *
 * <ul>
 *   <li>{@link #wrap} is KMS Encrypt, {@link #unwrap} is Decrypt, {@link #generateDataKey} is
 *       GenerateDataKey (key and wrapping in one round trip), {@link #rewrap} is ReEncrypt when the
 *       target is an {@code aws-kms:} key in the same region (the data key never leaves KMS), else
 *       unwrap here and wrap there.
 *   <li>The {@link EncryptionContext} is sent as the KMS EncryptionContext, so it shows in
 *       CloudTrail and key policies can test it ({@code kms:EncryptionContext:tenant}). KMS binds
 *       the pairs, not their order; the envelope header authenticates the order.
 *   <li>Decrypt names the KeyRef's key ({@code KeyId}), so wrapped bytes open only under the key
 *       their KeyRef names. An alias KeyRef is not named: KMS would resolve it to the key it points
 *       at today and refuse every blob made before the alias was moved, so the blob's own key
 *       decrypts (any key the caller may use). A multi-Region key ({@code key/mrk-...}) is
 *       decrypted by its replica in this wrapper's {@link Builder#region region} first, then in the
 *       region the KeyRef names, both within one {@link RetryPolicy#deadline()}; credentials the
 *       replica's region rejects end the call there (the home region would see the same ones).
 *   <li>The wrapped bytes are KMS's CiphertextBlob unchanged, so {@code aws kms decrypt} opens them
 *       too. Bytes that cannot be a CiphertextBlob (empty, over 6144 bytes) are refused with {@link
 *       MalformedCiphertextException} before any call.
 *   <li>The SDK's own retries are off: the {@link RetryPolicy} repeats throttling, 5xx, timeouts
 *       and connection failures, and bounds every attempt by {@link RetryPolicy#attemptTimeout()}
 *       and all of them by {@link RetryPolicy#deadline()}.
 * </ul>
 *
 * <p>Failures: throttling, HTTP 5xx, KMSInternal, DependencyTimeout, KMS's KeyUnavailable, I/O
 * errors and timeouts are {@link KeyUnavailableException} (retryable); AccessDenied, Disabled,
 * KMSInvalidState, rejected credentials and NotFound are {@link KeyAccessDeniedException} (KMS
 * reports a key of another account that the caller may not see the same way as a missing one, and
 * neither gets better by retrying); InvalidCiphertext and IncorrectKey are {@link
 * AuthenticationFailedException}; a key that cannot encrypt symmetrically, missing credentials or
 * region are {@link ConfigurationException}.
 *
 * <p>Every call, successful or not, is reported to the {@link AuditSink} (backend {@code aws-kms},
 * the KeyRef, the region that answered or was last tried, the data key's length). Credentials are
 * never logged or put in a message. Thread-safe; {@link #close()} closes the clients it built.
 */
public final class AwsKmsKeyWrapper implements KeyWrapper, AutoCloseable {
  static final String BACKEND = "aws-kms";

  /** KMS's limit on CiphertextBlob. */
  static final int MAX_CIPHERTEXT_BLOB_LENGTH = 6144;

  private final Supplier<Optional<String>> localRegion;
  private final Map<String, KmsClient> givenClients;
  private final Map<String, KmsClient> builtClients = new ConcurrentHashMap<>();
  private final URI endpoint;
  private final AwsCredentialsProvider credentials;
  private final boolean ownsCredentials;
  private final List<ExecutionInterceptor> interceptors;
  private final RetryPolicy retryPolicy;
  private final AuditSink auditSink;
  private volatile boolean closed;

  private AwsKmsKeyWrapper(Builder builder) {
    this.localRegion = builder.localRegion;
    this.givenClients = Map.copyOf(builder.clients);
    this.endpoint = builder.endpoint;
    this.ownsCredentials = builder.credentials == null;
    this.credentials =
        ownsCredentials ? DefaultCredentialsProvider.builder().build() : builder.credentials;
    this.interceptors = List.copyOf(builder.interceptors);
    this.retryPolicy = builder.retryPolicy;
    this.auditSink = builder.auditSink;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.AWS_KMS;
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
        served -> {
          AwsKmsKeyRef aws = requireAws(keyRef);
          KeyWrapper.requireDataKeyLength(dataKey.length);
          String region = served.set(regionOf(aws));
          EncryptResponse response =
              callKms(
                  "Encrypt",
                  aws,
                  region,
                  deadlineFromNow(),
                  (client, timeouts) ->
                      client.encrypt(
                          b ->
                              b.keyId(aws.keyId())
                                  .plaintext(SdkBytes.fromByteArrayUnsafe(dataKey))
                                  .encryptionContext(kmsContext(context))
                                  .overrideConfiguration(timeouts)));
          return new WrappedKey(keyRef, response.ciphertextBlob().asByteArrayUnsafe());
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
            served -> {
              AwsKmsKeyRef aws = requireAws(keyRef);
              byte[] blob = checkBlob(aws, wrappedKey.bytes());
              String home = regionOf(aws);
              Optional<String> replicaRegion = replicaRegion(aws, home);
              // The replica and the fallback to the home region share one deadline.
              long deadline = deadlineFromNow();
              if (replicaRegion.isEmpty()) {
                return decrypt(aws, served.set(home), decryptKeyId(aws), blob, context, deadline);
              }
              try {
                return decrypt(
                    aws,
                    served.set(replicaRegion.get()),
                    replicaKeyId(aws, replicaRegion.get()),
                    blob,
                    context,
                    deadline);
              } catch (KeyUnavailableException | KeyAccessDeniedException replicaFailure) {
                if (AwsKmsErrors.rejectedCredentials(replicaFailure)) {
                  // The same credentials sign the home region's request: it would fail alike.
                  throw replicaFailure;
                }
                try {
                  return decrypt(
                      aws, served.set(home), decryptKeyId(aws), blob, context, deadline);
                } catch (RuntimeException homeFailure) {
                  homeFailure.addSuppressed(replicaFailure);
                  throw homeFailure;
                }
              }
            });
    return dataKey;
  }

  /** GenerateDataKey: KMS draws the key and wraps it in one round trip. */
  @Override
  public DataKey generateDataKey(KeyRef keyRef, int length, EncryptionContext context) {
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(context, "context");
    return audited(
        Operation.GENERATE_DATA_KEY,
        keyRef,
        length,
        served -> {
          AwsKmsKeyRef aws = requireAws(keyRef);
          KeyWrapper.requireDataKeyLength(length);
          String region = served.set(regionOf(aws));
          GenerateDataKeyResponse response =
              callKms(
                  "GenerateDataKey",
                  aws,
                  region,
                  deadlineFromNow(),
                  (client, timeouts) ->
                      client.generateDataKey(
                          b ->
                              b.keyId(aws.keyId())
                                  .numberOfBytes(length)
                                  .encryptionContext(kmsContext(context))
                                  .overrideConfiguration(timeouts)));
          byte[] plaintextKey = response.plaintext().asByteArrayUnsafe();
          try {
            if (plaintextKey.length != length) {
              throw new MalformedCiphertextException(
                  "GenerateDataKey on "
                      + aws
                      + " returned "
                      + plaintextKey.length
                      + " bytes, not the "
                      + length
                      + " asked for");
            }
            return new DataKey(
                plaintextKey,
                new WrappedKey(keyRef, response.ciphertextBlob().asByteArrayUnsafe()));
          } finally {
            Bytes.zero(plaintextKey);
          }
        });
  }

  /**
   * ReEncrypt when {@code target} is an {@code aws-kms:} key in the source key's region; otherwise
   * (another region) Decrypt here and Encrypt there, with the data key zeroed in between.
   *
   * @throws InvalidInputException when {@code target} is not an {@code aws-kms:} KeyRef (moving to
   *     another backend is {@code Envelope.rewrap}'s job, which holds both wrappers)
   */
  @Override
  public WrappedKey rewrap(WrappedKey wrappedKey, KeyRef target, EncryptionContext context) {
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(context, "context");
    KeyRef source = wrappedKey.keyRef();
    Optional<String> sharedRegion = sameRegion(source, target);
    if (target instanceof AwsKmsKeyRef
        && source instanceof AwsKmsKeyRef
        && sharedRegion.isEmpty()) {
      return KeyWrapper.super.rewrap(wrappedKey, target, context);
    }
    return audited(
        Operation.REWRAP,
        source,
        0,
        served -> {
          AwsKmsKeyRef from = requireAws(source);
          if (!(target instanceof AwsKmsKeyRef to)) {
            throw new InvalidInputException(
                "the aws-kms key wrapper rewraps to aws-kms: KeyRefs only, not "
                    + target.scheme().prefix()
                    + "; Envelope.rewrap moves data keys between backends");
          }
          byte[] blob = checkBlob(from, wrappedKey.bytes());
          String region = served.set(sharedRegion.orElseThrow());
          Map<String, String> kmsContext = kmsContext(context);
          ReEncryptResponse response =
              callKms(
                  "ReEncrypt",
                  from,
                  region,
                  deadlineFromNow(),
                  (client, timeouts) ->
                      client.reEncrypt(
                          b ->
                              b.ciphertextBlob(SdkBytes.fromByteArrayUnsafe(blob))
                                  .sourceKeyId(decryptKeyId(from))
                                  .sourceEncryptionContext(kmsContext)
                                  .destinationKeyId(to.keyId())
                                  .destinationEncryptionContext(kmsContext)
                                  .overrideConfiguration(timeouts)));
          return new WrappedKey(target, response.ciphertextBlob().asByteArrayUnsafe());
        });
  }

  /** Closes the KMS clients this wrapper built; clients given to the builder stay open. */
  @Override
  public void close() {
    closed = true;
    builtClients.values().forEach(KmsClient::close);
    builtClients.clear();
    if (ownsCredentials && credentials instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // Closing releases refresh threads only; nothing depends on it succeeding.
      }
    }
  }

  @Override
  public String toString() {
    return "AwsKmsKeyWrapper[region="
        + localRegion.get().orElse("(none)")
        + (endpoint == null ? "" : ", endpoint=" + endpoint)
        + "]";
  }

  /**
   * The KeyId to name on Decrypt and ReEncrypt, or null to leave it out. KMS resolves an alias to
   * the key it points at now, so naming it would refuse every blob made before the alias was moved
   * to a new key (IncorrectKeyException); a symmetric CiphertextBlob names its own key, so an alias
   * KeyRef lets the blob choose.
   */
  private static String decryptKeyId(AwsKmsKeyRef keyRef) {
    return keyRef.isAlias() ? null : keyRef.keyId();
  }

  private byte[] decrypt(
      AwsKmsKeyRef aws,
      String region,
      String keyId,
      byte[] blob,
      EncryptionContext context,
      long deadlineNanos) {
    DecryptResponse response =
        callKms(
            "Decrypt",
            aws,
            region,
            deadlineNanos,
            (client, timeouts) ->
                client.decrypt(
                    b ->
                        b.ciphertextBlob(SdkBytes.fromByteArrayUnsafe(blob))
                            .keyId(keyId)
                            .encryptionContext(kmsContext(context))
                            .overrideConfiguration(timeouts)));
    byte[] dataKey = response.plaintext().asByteArrayUnsafe();
    if (dataKey.length < MIN_DATA_KEY_LENGTH || dataKey.length > MAX_DATA_KEY_LENGTH) {
      Bytes.zero(dataKey);
      throw new MalformedCiphertextException(
          "the wrapped key under "
              + aws
              + " holds "
              + dataKey.length
              + " bytes, not a data key of "
              + MIN_DATA_KEY_LENGTH
              + ".."
              + MAX_DATA_KEY_LENGTH);
    }
    return dataKey;
  }

  private long deadlineFromNow() {
    return System.nanoTime() + retryPolicy.deadline().toNanos();
  }

  /**
   * Runs one KMS request under the retry policy, within {@code deadlineNanos} (a {@link
   * System#nanoTime()} value). Each attempt gets the policy's attempt timeout, cut to what is left
   * of the deadline, so the whole call ends within it.
   */
  private <R> R callKms(
      String operation,
      AwsKmsKeyRef keyRef,
      String region,
      long deadlineNanos,
      BiFunction<KmsClient, AwsRequestOverrideConfiguration, R> request) {
    KmsClient client = client(region);
    String call = operation + " on " + keyRef + " in " + region;
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      throw deadlinePassed(call);
    }
    RetryPolicy policy =
        left < retryPolicy.deadline().toNanos()
            ? retryPolicy.withDeadline(Duration.ofNanos(left))
            : retryPolicy;
    return policy.call(
        call,
        () -> {
          long remaining = deadlineNanos - System.nanoTime();
          if (remaining <= 0) {
            throw deadlinePassed(call);
          }
          Duration timeout =
              Duration.ofNanos(Math.min(remaining, retryPolicy.attemptTimeout().toNanos()));
          AwsRequestOverrideConfiguration timeouts =
              AwsRequestOverrideConfiguration.builder()
                  .apiCallAttemptTimeout(timeout)
                  .apiCallTimeout(timeout)
                  .build();
          try {
            return request.apply(client, timeouts);
          } catch (SdkException e) {
            throw AwsKmsErrors.map(operation, keyRef.toString(), region, e);
          }
        });
  }

  private KeyUnavailableException deadlinePassed(String call) {
    return new KeyUnavailableException(
        call + ": the deadline of " + retryPolicy.deadline() + " has passed");
  }

  private KmsClient client(String region) {
    KmsClient given = givenClients.get(region);
    if (given != null) {
      return given;
    }
    if (closed) {
      throw new ConfigurationException("this AwsKmsKeyWrapper is closed");
    }
    return builtClients.computeIfAbsent(region, this::buildClient);
  }

  private KmsClient buildClient(String region) {
    Duration attemptTimeout = retryPolicy.attemptTimeout();
    KmsClientBuilder builder =
        KmsClient.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials)
            .httpClientBuilder(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(attemptTimeout)
                    .socketTimeout(attemptTimeout))
            .overrideConfiguration(
                o -> {
                  o.retryStrategy(AwsRetryStrategy.doNotRetry())
                      .apiCallAttemptTimeout(attemptTimeout)
                      .apiCallTimeout(attemptTimeout);
                  interceptors.forEach(o::addExecutionInterceptor);
                });
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  private String regionOf(AwsKmsKeyRef keyRef) {
    return keyRef
        .region()
        .or(localRegion)
        .orElseThrow(
            () ->
                new ConfigurationException(
                    keyRef
                        + " names no region and none is configured: use an ARN or ?region=, or"
                        + " set AwsKmsKeyWrapper.builder().region(...), AWS_REGION or aws.region"));
  }

  /** The local region when {@code keyRef} is a multi-Region key whose replica should serve. */
  private Optional<String> replicaRegion(AwsKmsKeyRef keyRef, String home) {
    if (!isMultiRegionKey(keyRef)) {
      return Optional.empty();
    }
    return localRegion.get().filter(local -> !local.equals(home));
  }

  static boolean isMultiRegionKey(AwsKmsKeyRef keyRef) {
    String id = keyRef.keyId();
    return id.startsWith("mrk-") || id.contains(":key/mrk-");
  }

  /** The same multi-Region key id in {@code region}: its ARN there, or the bare id unchanged. */
  static String replicaKeyId(AwsKmsKeyRef keyRef, String region) {
    String id = keyRef.keyId();
    if (!id.startsWith("arn:")) {
      return id;
    }
    String[] parts = id.split(":", 6);
    parts[3] = region;
    return String.join(":", parts);
  }

  private Optional<String> sameRegion(KeyRef source, KeyRef target) {
    if (!(source instanceof AwsKmsKeyRef from) || !(target instanceof AwsKmsKeyRef to)) {
      return Optional.empty();
    }
    Optional<String> fromRegion = from.region().or(localRegion);
    Optional<String> toRegion = to.region().or(localRegion);
    return fromRegion.isPresent() && fromRegion.equals(toRegion) ? fromRegion : Optional.empty();
  }

  private static AwsKmsKeyRef requireAws(KeyRef keyRef) {
    if (keyRef instanceof AwsKmsKeyRef aws) {
      return aws;
    }
    throw new InvalidInputException(
        "the aws-kms key wrapper serves aws-kms: KeyRefs only, not " + keyRef.scheme().prefix());
  }

  private static byte[] checkBlob(AwsKmsKeyRef keyRef, byte[] blob) {
    if (blob.length == 0 || blob.length > MAX_CIPHERTEXT_BLOB_LENGTH) {
      throw new MalformedCiphertextException(
          "a wrapped key under "
              + keyRef
              + " is a KMS CiphertextBlob of 1.."
              + MAX_CIPHERTEXT_BLOB_LENGTH
              + " bytes, got "
              + blob.length);
    }
    return blob;
  }

  /** The pairs as KMS EncryptionContext; null (the field left out) for the empty context. */
  private static Map<String, String> kmsContext(EncryptionContext context) {
    return context.asMap().isEmpty() ? null : new LinkedHashMap<>(context.asMap());
  }

  /** Where a call went: the region recorded in its audit event. */
  private static final class Served {
    private String region;

    String set(String region) {
      this.region = region;
      return region;
    }
  }

  /** Runs {@code body} and records one audit event with its outcome. */
  private <T> T audited(Operation operation, KeyRef keyRef, long bytes, Function<Served, T> body) {
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    Served served = new Served();
    T result;
    try {
      result = body.apply(served);
    } catch (RuntimeException failure) {
      try {
        auditSink.record(
            describe(operation, keyRef, served, bytes)
                .event(started, elapsed(startNanos), AuditedOperation.outcomeOf(failure)));
      } catch (RuntimeException sinkFailure) {
        failure.addSuppressed(sinkFailure);
      }
      throw failure;
    }
    long resultBytes = result instanceof byte[] key ? key.length : bytes;
    try {
      auditSink.record(
          describe(operation, keyRef, served, resultBytes)
              .event(started, elapsed(startNanos), Outcome.SUCCESS));
    } catch (RuntimeException sinkFailure) {
      if (result instanceof byte[] key) {
        Bytes.zero(key);
      } else if (result instanceof DataKey key) {
        key.close();
      }
      throw sinkFailure;
    }
    return result;
  }

  private static AuditedOperation describe(
      Operation operation, KeyRef keyRef, Served served, long bytes) {
    return AuditedOperation.of(operation, BACKEND)
        .withKeyRef(keyRef.toString())
        .withRegion(served.region != null ? served.region : keyRef.region().orElse(null))
        .withBytes(bytes);
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /**
   * Configures an {@link AwsKmsKeyWrapper}. Either give {@link #client KmsClient}s (one per region,
   * with the SDK's retries off), or let the wrapper build one per region it needs from {@link
   * #endpoint}, {@link #credentialsProvider} and the {@link #retryPolicy}'s timeouts.
   */
  public static final class Builder {
    private Supplier<Optional<String>> localRegion = Optional::empty;
    private final Map<String, KmsClient> clients = new LinkedHashMap<>();
    private URI endpoint;
    private AwsCredentialsProvider credentials;
    private final List<ExecutionInterceptor> interceptors = new ArrayList<>();
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private AuditSink auditSink = AuditSink.NONE;

    private Builder() {}

    /**
     * This service's own region: where KeyRefs without a region are served, and where multi-Region
     * keys are decrypted first. Defaults to the region of the first {@link #client} given.
     */
    public Builder region(String region) {
      Objects.requireNonNull(region, "region");
      this.localRegion = () -> Optional.of(region);
      return this;
    }

    /** The local region, asked once when first needed (the SDK's region chain can be slow). */
    Builder region(Supplier<Optional<String>> region) {
      Objects.requireNonNull(region, "region");
      this.localRegion = new Memoized(region);
      return this;
    }

    /**
     * A client for calls to its region. Turn off its retries ({@code
     * AwsRetryStrategy.doNotRetry()}): the {@link RetryPolicy} retries already.
     */
    public Builder client(KmsClient client) {
      Objects.requireNonNull(client, "client");
      Region region = client.serviceClientConfiguration().region();
      if (region == null) {
        throw new ConfigurationException("a KmsClient given to AwsKmsKeyWrapper needs a region");
      }
      if (clients.putIfAbsent(region.id(), client) != null) {
        throw new InvalidInputException("a KmsClient for " + region.id() + " is already set");
      }
      if (clients.size() == 1 && localRegion.get().isEmpty()) {
        String id = region.id();
        this.localRegion = () -> Optional.of(id);
      }
      return this;
    }

    /**
     * The KMS endpoint for the clients this wrapper builds, e.g. a VPC endpoint or a test server.
     *
     * @throws ConfigurationException for plain {@code http} to a host other than loopback: requests
     *     carry data keys and signed credentials, which must not cross a network unencrypted
     */
    public Builder endpoint(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      requireTlsOffLoopback(endpoint, "the AWS KMS endpoint");
      this.endpoint = endpoint;
      return this;
    }

    /** Credentials for the clients this wrapper builds; the SDK's default chain by default. */
    public Builder credentialsProvider(AwsCredentialsProvider credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /** Sees every request of the clients this wrapper builds, e.g. to count or trace KMS calls. */
    public Builder addInterceptor(ExecutionInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** Retries, attempt timeout and deadline; {@link RetryPolicy#defaults()} by default. */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** Receives an event per call; {@link AuditSink#NONE} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    public AwsKmsKeyWrapper build() {
      return new AwsKmsKeyWrapper(this);
    }
  }

  /**
   * Refuses {@code http} unless the host is a loopback literal or {@code localhost}; the name is
   * not resolved, so DNS cannot make a remote host pass.
   */
  static void requireTlsOffLoopback(URI endpoint, String what) {
    if (!"http".equalsIgnoreCase(endpoint.getScheme())) {
      return;
    }
    String host = endpoint.getHost() == null ? "" : endpoint.getHost();
    if (!isLoopback(host)) {
      throw new ConfigurationException(
          what
              + " uses plain http to "
              + (host.isEmpty() ? "no host" : host)
              + ": use https; http is allowed only to 127.0.0.1, ::1 or localhost (a local test"
              + " server)");
    }
  }

  private static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    try {
      return InetAddress.ofLiteral(literal).isLoopbackAddress();
    } catch (IllegalArgumentException notAnAddress) {
      return false;
    }
  }

  /** A supplier asked once; a failing lookup counts as no answer. */
  private static final class Memoized implements Supplier<Optional<String>> {
    private final Supplier<Optional<String>> source;
    private volatile Optional<String> value;

    Memoized(Supplier<Optional<String>> source) {
      this.source = source;
    }

    @Override
    public Optional<String> get() {
      Optional<String> known = value;
      if (known == null) {
        synchronized (this) {
          known = value;
          if (known == null) {
            try {
              known = source.get();
            } catch (RuntimeException e) {
              known = Optional.empty();
            }
            value = known;
          }
        }
      }
      return known;
    }
  }
}
