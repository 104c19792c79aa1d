package com.plugsky.crypto.kms.aws.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.kms.aws.AwsKmsKeyWrapper;
import com.plugsky.crypto.kms.aws.fault.FaultInjectingProxy.Fault;
import com.plugsky.crypto.kms.aws.moto.MotoExtension;
import com.plugsky.crypto.kms.aws.moto.MotoServer;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** AWS KMS behind a fault-injecting proxy: throttling bursts, 5xx, typed errors, a hang. */
@ExtendWith(MotoExtension.class)
class FaultInjectionIT {
  private static final String REGION = "eu-west-1";
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private FaultInjectingProxy proxy;
  private KeyRef key;

  @BeforeEach
  void setUp(MotoServer moto) {
    proxy = FaultInjectingProxy.start(moto.endpoint());
    key = moto.createKey(REGION);
  }

  @AfterEach
  void tearDown() {
    proxy.close();
  }

  private AwsKmsKeyWrapper wrapper(RetryPolicy policy) {
    return AwsKmsKeyWrapper.builder()
        .endpoint(proxy.endpoint())
        .region(REGION)
        .credentialsProvider(MotoServer.CREDENTIALS)
        .retryPolicy(policy)
        .auditSink(events::add)
        .build();
  }

  private static RetryPolicy fourQuickAttempts() {
    return RetryPolicy.builder()
        .maxAttempts(4)
        .baseDelay(Duration.ofMillis(5))
        .maxDelay(Duration.ofMillis(20))
        .attemptTimeout(Duration.ofSeconds(5))
        .build();
  }

  @Test
  void aThrottlingBurstIsRetriedThrough() {
    proxy.enqueue(Fault.throttling(), Fault.throttling(), Fault.throttling());
    try (AwsKmsKeyWrapper wrapper = wrapper(fourQuickAttempts())) {
      byte[] dataKey = CryptoRandom.bytes(32);

      WrappedKey wrapped = wrapper.wrap(key, dataKey, CONTEXT);

      assertThat(proxy.requests()).containsExactly("Encrypt", "Encrypt", "Encrypt", "Encrypt");
      assertThat(proxy.forwarded()).isEqualTo(1);
      assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
      assertThat(events).extracting(AuditEvent::outcome).containsOnly(Outcome.SUCCESS).hasSize(2);
    }
  }

  @Test
  void aBurstOf5xxIsRetriedThrough() {
    try (AwsKmsKeyWrapper wrapper = wrapper(fourQuickAttempts())) {
      WrappedKey wrapped = wrapper.wrap(key, CryptoRandom.bytes(32), CONTEXT);
      proxy.enqueue(
          Fault.internalError(), Fault.serviceUnavailable(), Fault.error(502, "BadGateway"));

      assertThat(wrapper.unwrap(wrapped, CONTEXT)).hasSize(32);
      assertThat(proxy.requests())
          .containsExactly("Encrypt", "Decrypt", "Decrypt", "Decrypt", "Decrypt");
    }
  }

  @Test
  void aBurstLongerThanTheAttemptsFailsRetryablyNamingTheThrottling() {
    proxy.enqueue(
        Fault.throttling(),
        Fault.throttling(),
        Fault.throttling(),
        Fault.throttling(),
        Fault.throttling());
    try (AwsKmsKeyWrapper wrapper = wrapper(fourQuickAttempts())) {
      assertThatThrownBy(() -> wrapper.wrap(key, CryptoRandom.bytes(32), CONTEXT))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("gave up after 4 attempts")
          .hasMessageContaining("ThrottlingException")
          .hasMessageContaining(key.toString())
          .satisfies(e -> assertThat(((CryptoException) e).isRetryable()).isTrue());
      assertThat(proxy.requests()).hasSize(4);
      assertThat(events).extracting(AuditEvent::outcome).containsExactly(Outcome.KEY_UNAVAILABLE);
    }
  }

  static Stream<Arguments> awsErrors() {
    return Stream.of(
        Arguments.of(400, "AccessDeniedException", KeyAccessDeniedException.class, 1),
        Arguments.of(400, "DisabledException", KeyAccessDeniedException.class, 1),
        Arguments.of(400, "KMSInvalidStateException", KeyAccessDeniedException.class, 1),
        Arguments.of(400, "NotFoundException", KeyAccessDeniedException.class, 1),
        Arguments.of(400, "UnrecognizedClientException", KeyAccessDeniedException.class, 1),
        Arguments.of(400, "ExpiredTokenException", KeyAccessDeniedException.class, 1),
        Arguments.of(403, "SomethingNew", KeyAccessDeniedException.class, 1),
        Arguments.of(400, "InvalidCiphertextException", AuthenticationFailedException.class, 1),
        Arguments.of(400, "IncorrectKeyException", AuthenticationFailedException.class, 1),
        Arguments.of(400, "InvalidKeyUsageException", ConfigurationException.class, 1),
        Arguments.of(400, "ValidationException", InvalidInputException.class, 1),
        Arguments.of(500, "DependencyTimeoutException", KeyUnavailableException.class, 2),
        Arguments.of(400, "KeyUnavailableException", KeyUnavailableException.class, 2),
        Arguments.of(429, "TooManyRequestsException", KeyUnavailableException.class, 2));
  }

  @ParameterizedTest(name = "{1} (HTTP {0}) -> {2}")
  @MethodSource("awsErrors")
  void eachAwsErrorHasItsTypeAndOnlyTransientOnesAreRetried(
      int status, String type, Class<? extends CryptoException> expected, int requests) {
    proxy.enqueue(Fault.error(status, type));
    try (AwsKmsKeyWrapper wrapper = wrapper(fourQuickAttempts())) {
      WrappedKey wrapped = new WrappedKey(key, CryptoRandom.bytes(150));

      if (expected == KeyUnavailableException.class) {
        // Transient: the second attempt reaches moto, which refuses the random bytes.
        assertThatThrownBy(() -> wrapper.unwrap(wrapped, CONTEXT))
            .isInstanceOf(AuthenticationFailedException.class)
            .satisfies(e -> assertThat(e.getSuppressed()).isEmpty());
      } else {
        assertThatThrownBy(() -> wrapper.unwrap(wrapped, CONTEXT))
            .isInstanceOf(expected)
            .hasMessageContaining(type.equals("SomethingNew") ? "HTTP 403" : type);
      }
      assertThat(proxy.requests()).hasSize(requests);
    }
  }

  @Test
  void aHangingServerFailsRetryablyWithinTheDeadline() {
    proxy.hangEverything(true);
    Duration deadline = Duration.ofMillis(1500);
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(10)
            .baseDelay(Duration.ofMillis(10))
            .attemptTimeout(Duration.ofMillis(400))
            .deadline(deadline)
            .build();
    try (AwsKmsKeyWrapper wrapper = wrapper(policy)) {
      long start = System.nanoTime();

      assertThatThrownBy(() -> wrapper.wrap(key, CryptoRandom.bytes(32), CONTEXT))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("did not answer in time");

      Duration took = Duration.ofNanos(System.nanoTime() - start);
      // The last attempt is cut to what is left of the deadline; the margin is for scheduling.
      assertThat(took).isLessThan(deadline.plusMillis(700));
      assertThat(proxy.requests()).hasSizeGreaterThanOrEqualTo(3);
      assertThat(events).extracting(AuditEvent::outcome).containsExactly(Outcome.KEY_UNAVAILABLE);
    }
  }
}
