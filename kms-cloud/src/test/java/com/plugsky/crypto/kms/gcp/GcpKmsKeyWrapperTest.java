package com.plugsky.crypto.kms.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.DataKeyCache;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.kms.gcp.LoopbackCloudKmsServer.Fault;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.CryptoRandom;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GcpKmsKeyWrapperTest {
  private static final String ORDERS_NAME =
      "projects/plugsky-test/locations/europe-west1/keyRings/ring/cryptoKeys/orders";
  private static final KeyRef ORDERS = KeyRef.parse("gcp-kms:" + ORDERS_NAME);
  private static final EncryptionContext ACME = EncryptionContext.of("tenant", "acme");
  private static final RetryPolicy FAST_RETRIES =
      RetryPolicy.builder()
          .maxAttempts(4)
          .baseDelay(Duration.ofMillis(1))
          .maxDelay(Duration.ofMillis(5))
          .attemptTimeout(Duration.ofSeconds(5))
          .build();

  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private LoopbackCloudKmsServer kms;
  private GcpKmsKeyWrapper wrapper;

  @BeforeEach
  void startKms() throws Exception {
    kms = new LoopbackCloudKmsServer();
    kms.createKey(ORDERS_NAME);
    wrapper = wrapper(FAST_RETRIES);
  }

  @AfterEach
  void stopKms() {
    wrapper.close();
    kms.close();
  }

  private GcpKmsKeyWrapper wrapper(RetryPolicy retryPolicy) throws Exception {
    return GcpKmsKeyWrapper.builder()
        .settings(kms.settings())
        .retryPolicy(retryPolicy)
        .auditSink(events::add)
        .build();
  }

  @Test
  void wrapsAndUnwrapsWithTheContextAsAad() {
    byte[] dataKey = CryptoRandom.bytes(32);

    WrappedKey wrapped = wrapper.wrap(ORDERS, dataKey, ACME);

    assertThat(wrapped.keyRef()).isEqualTo(ORDERS);
    assertThat(wrapper.unwrap(wrapped, ACME)).isEqualTo(dataKey);
    assertThat(events)
        .extracting(AuditEvent::operation, AuditEvent::backend, AuditEvent::region)
        .containsExactly(
            Tuple.tuple(Operation.WRAP, "gcp-kms", Optional.of("europe-west1")),
            Tuple.tuple(Operation.UNWRAP, "gcp-kms", Optional.of("europe-west1")));
    assertThat(events).allMatch(event -> event.outcome() == Outcome.SUCCESS);
  }

  @Test
  void anotherContextOrModifiedBytesFailAuthentication() {
    WrappedKey wrapped = wrapper.wrap(ORDERS, CryptoRandom.bytes(32), ACME);
    byte[] modified = wrapped.bytes();
    modified[modified.length - 1] ^= 1;

    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.of("tenant", "evil")))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("encryption context");
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(ORDERS, modified), ACME))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(kms.calls("Decrypt")).isEqualTo(2);
    assertThat(events.getLast().outcome()).isEqualTo(Outcome.AUTHENTICATION_FAILED);
  }

  @Test
  void rotationKeepsOldCiphertextsAndRewrapMovesToThePrimary() {
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey v1 = wrapper.wrap(ORDERS, dataKey, ACME);
    kms.rotate(ORDERS_NAME);

    WrappedKey v2 = wrapper.rewrap(v1, ORDERS, ACME);

    assertThat(v2.bytes()).isNotEqualTo(v1.bytes());
    assertThat(v2.bytes()[3]).isEqualTo((byte) 2);
    assertThat(wrapper.unwrap(v1, ACME)).isEqualTo(dataKey);
    assertThat(wrapper.unwrap(v2, ACME)).isEqualTo(dataKey);
  }

  @Test
  void aVersionKeyRefEncryptsUnderThatVersion() {
    kms.rotate(ORDERS_NAME);
    KeyRef version1 = KeyRef.parse("gcp-kms:" + ORDERS_NAME + "/cryptoKeyVersions/1");
    byte[] dataKey = CryptoRandom.bytes(16);

    WrappedKey wrapped = wrapper.wrap(version1, dataKey, ACME);

    assertThat(wrapped.bytes()[3]).isEqualTo((byte) 1);
    assertThat(wrapper.unwrap(wrapped, ACME)).isEqualTo(dataKey);
  }

  @Test
  void generateDataKeyWrapsALocalRandomKey() {
    try (DataKey dataKey = wrapper.generateDataKey(ORDERS, 32, ACME)) {
      assertThat(wrapper.unwrap(dataKey.wrappedKey(), ACME)).isEqualTo(dataKey.plaintextKey());
    }
  }

  @Test
  void transientStatusesAreRetried() {
    byte[] dataKey = CryptoRandom.bytes(32);
    kms.failNext(1, Status.Code.UNAVAILABLE);
    kms.failNext(1, Status.Code.RESOURCE_EXHAUSTED);
    kms.failNext(1, Status.Code.INTERNAL);

    WrappedKey wrapped = wrapper.wrap(ORDERS, dataKey, ACME);

    assertThat(kms.calls("Encrypt")).isEqualTo(4);
    assertThat(wrapper.unwrap(wrapped, ACME)).isEqualTo(dataKey);
  }

  @Test
  void aBurstLongerThanTheAttemptsIsKeyUnavailable() {
    kms.failNext(10, Status.Code.UNAVAILABLE);

    assertThatThrownBy(() -> wrapper.wrap(ORDERS, CryptoRandom.bytes(32), ACME))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("gave up after 4 attempts");
    assertThat(kms.calls("Encrypt")).isEqualTo(4);
    assertThat(events.getLast().outcome()).isEqualTo(Outcome.KEY_UNAVAILABLE);
  }

  @Test
  void permissionDeniedIsNotRetried() {
    kms.failNext(1, Status.Code.PERMISSION_DENIED);

    assertThatThrownBy(() -> wrapper.wrap(ORDERS, CryptoRandom.bytes(32), ACME))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("PERMISSION_DENIED");
    assertThat(kms.calls("Encrypt")).isEqualTo(1);
    assertThat(events.getLast().outcome()).isEqualTo(Outcome.ACCESS_DENIED);
  }

  @Test
  void anUnknownKeyIsAConfigurationErrorAndNotRetried() {
    KeyRef missing =
        KeyRef.parse("gcp-kms:projects/plugsky-test/locations/us/keyRings/ring/cryptoKeys/missing");

    assertThatThrownBy(() -> wrapper.wrap(missing, CryptoRandom.bytes(32), ACME))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("NOT_FOUND");
    assertThat(kms.calls("Encrypt")).isEqualTo(1);
  }

  /**
   * A response whose CRC32C does not match its data, and a request the server rejects for its own
   * CRC32C, are both damage in transit: retried, and after ten in a row, unavailable.
   */
  @ParameterizedTest
  @EnumSource(
      value = Fault.class,
      names = {"DAMAGED_CRC", "DAMAGED_REQUEST"})
  void aChecksumMismatchEitherWayIsTransitDamageAndRetried(Fault damage) {
    byte[] dataKey = CryptoRandom.bytes(32);
    kms.faultNext(1, damage);
    WrappedKey wrapped = wrapper.wrap(ORDERS, dataKey, ACME);
    assertThat(kms.calls("Encrypt")).isEqualTo(2);

    kms.faultNext(1, damage);
    assertThat(wrapper.unwrap(wrapped, ACME)).isEqualTo(dataKey);
    assertThat(kms.calls("Decrypt")).isEqualTo(2);

    kms.faultNext(10, damage);
    assertThatThrownBy(() -> wrapper.unwrap(wrapped, ACME))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("CRC32C");
  }

  @Test
  void aHangingServerTimesOutEachAttempt() throws Exception {
    kms.faultNext(2, Fault.HANG);
    RetryPolicy shortAttempts =
        RetryPolicy.builder()
            .maxAttempts(2)
            .baseDelay(Duration.ofMillis(1))
            .attemptTimeout(Duration.ofMillis(300))
            .build();

    try (GcpKmsKeyWrapper impatient = wrapper(shortAttempts)) {
      assertThatThrownBy(() -> impatient.wrap(ORDERS, CryptoRandom.bytes(32), ACME))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("gave up after 2 attempts")
          .hasMessageContaining("DEADLINE_EXCEEDED");
    }
    assertThat(kms.calls("Encrypt")).isEqualTo(2);
  }

  @Test
  void badInputIsRefusedBeforeAnyCall() {
    assertThatThrownBy(() -> wrapper.wrap(KeyRef.parse("local:x"), CryptoRandom.bytes(32), ACME))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> wrapper.wrap(ORDERS, new byte[65], ACME))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(ORDERS, new byte[0]), ACME))
        .isInstanceOf(MalformedCiphertextException.class);
    assertThat(kms.calls("Encrypt") + kms.calls("Decrypt")).isZero();
  }

  @Test
  void envelopeRoundTripsThroughCloudKms() {
    Envelope envelope = Envelope.builder().kek(ORDERS).keyWrapper(wrapper).build();
    byte[] plaintext = "order 42".getBytes(StandardCharsets.UTF_8);

    byte[] message = envelope.encrypt(plaintext, ACME);

    assertThat(envelope.decrypt(message, ACME)).isEqualTo(plaintext);
    assertThatThrownBy(() -> envelope.decrypt(message, EncryptionContext.of("tenant", "evil")))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void withADataKeyCacheEnvelopeKeepsWorkingForCachedKeysWhenCloudKmsDies() {
    Envelope envelope =
        Envelope.builder()
            .kek(ORDERS)
            .keyWrapper(wrapper)
            .dataKeyCache(DataKeyCache.builder().maxAge(Duration.ofMinutes(5)).build())
            .build();
    byte[] plaintext = "order 42".getBytes(StandardCharsets.UTF_8);
    byte[] before = envelope.encrypt(plaintext, ACME);
    assertThat(envelope.decrypt(before, ACME)).isEqualTo(plaintext);

    kms.close();

    byte[] during = envelope.encrypt(plaintext, ACME);
    assertThat(envelope.decrypt(during, ACME)).isEqualTo(plaintext);
    assertThat(envelope.decrypt(before, ACME)).isEqualTo(plaintext);
    assertThatThrownBy(() -> envelope.encrypt(plaintext, EncryptionContext.of("tenant", "other")))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("UNAVAILABLE");
  }
}
