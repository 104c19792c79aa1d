package com.plugsky.crypto.kms.vault;

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
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultTransitKeyWrapperTest {
  private static final KeyRef ORDERS = KeyRef.parse("vault-transit:transit/orders");
  private static final EncryptionContext ACME = EncryptionContext.of("tenant", "acme");
  private static final RetryPolicy FAST_RETRIES =
      RetryPolicy.builder()
          .maxAttempts(4)
          .baseDelay(Duration.ofMillis(1))
          .maxDelay(Duration.ofMillis(5))
          .attemptTimeout(Duration.ofSeconds(5))
          .build();

  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private LoopbackVaultServer vault;
  private VaultTransitKeyWrapper wrapper;

  @BeforeEach
  void startVault() throws Exception {
    vault = new LoopbackVaultServer();
    vault.createKey("transit/orders", true);
    wrapper = withToken(LoopbackVaultServer.ROOT_TOKEN).build();
  }

  @AfterEach
  void stopVault() {
    wrapper.close();
    vault.close();
  }

  private VaultTransitKeyWrapper.Builder withToken(String token) {
    return VaultTransitKeyWrapper.builder()
        .address(vault.address())
        .token(token)
        .retryPolicy(FAST_RETRIES)
        .auditSink(events::add);
  }

  @Test
  void wrapsAndUnwrapsUnderTheContext() {
    byte[] dataKey = CryptoRandom.bytes(32);

    WrappedKey wrapped = wrapper.wrap(ORDERS, dataKey, ACME);

    assertThat(new String(wrapped.bytes(), StandardCharsets.US_ASCII)).startsWith("vault:v1:");
    assertThat(wrapper.unwrap(wrapped, ACME)).isEqualTo(dataKey);
    assertThat(events)
        .extracting(
            AuditEvent::operation, AuditEvent::backend, AuditEvent::bytes, AuditEvent::outcome)
        .containsExactly(
            Tuple.tuple(Operation.WRAP, "vault-transit", 32L, Outcome.SUCCESS),
            Tuple.tuple(Operation.UNWRAP, "vault-transit", 32L, Outcome.SUCCESS));
  }

  @Test
  void anotherContextFailsAuthentication() {
    WrappedKey wrapped = wrapper.wrap(ORDERS, CryptoRandom.bytes(32), ACME);

    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.of("tenant", "evil")))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("encryption context");
    assertThat(events.getLast().outcome()).isEqualTo(Outcome.AUTHENTICATION_FAILED);
    assertThat(events.getLast().bytes()).isZero();
  }

  @Test
  void modifiedCiphertextFailsAuthenticationAndGarbageIsMalformed() {
    String text = new String(wrapper.wrap(ORDERS, CryptoRandom.bytes(32), ACME).bytes());
    char last = text.charAt(text.length() - 5);
    String flipped =
        text.substring(0, text.length() - 5)
            + (last == 'A' ? 'B' : 'A')
            + text.substring(text.length() - 4);

    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(ORDERS, flipped.getBytes()), ACME))
        .isInstanceOf(AuthenticationFailedException.class);
    int decrypts = vault.requests("decrypt");
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(ORDERS, new byte[] {1, 2, 3}), ACME))
        .isInstanceOf(MalformedCiphertextException.class);
    assertThat(vault.requests("decrypt")).isEqualTo(decrypts);
  }

  @Test
  void rewrapMovesToTheLatestVersionInsideVault() {
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey v1 = wrapper.wrap(ORDERS, dataKey, ACME);
    vault.rotate("transit/orders");

    WrappedKey v2 = wrapper.rewrap(v1, ORDERS, ACME);

    assertThat(new String(v2.bytes())).startsWith("vault:v2:");
    assertThat(vault.requests("rewrap")).isEqualTo(1);
    assertThat(vault.requests("decrypt")).isZero();
    assertThat(wrapper.unwrap(v2, ACME)).isEqualTo(dataKey);
    assertThat(wrapper.unwrap(v1, ACME)).isEqualTo(dataKey);
    assertThat(events.get(1).operation()).isEqualTo(Operation.REWRAP);
    assertThatThrownBy(() -> wrapper.rewrap(v1, ORDERS, EncryptionContext.empty()))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void aPinnedVersionWrapsUnderThatVersion() {
    vault.rotate("transit/orders");
    KeyRef pinned = KeyRef.parse("vault-transit:transit/orders?version=1");

    WrappedKey wrapped = wrapper.wrap(pinned, CryptoRandom.bytes(16), ACME);

    assertThat(new String(wrapped.bytes())).startsWith("vault:v1:");
    assertThat(wrapper.unwrap(wrapped, ACME)).hasSize(16);
  }

  @Test
  void aFailingAuditSinkFailsGenerateDataKeyWithItsOwnError() {
    try (VaultTransitKeyWrapper unaudited =
        withToken(LoopbackVaultServer.ROOT_TOKEN)
            .auditSink(
                event -> {
                  throw new IllegalStateException("audit log is full");
                })
            .build()) {
      assertThatThrownBy(() -> unaudited.generateDataKey(ORDERS, 32, ACME))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("audit log is full");
      assertThat(vault.requests("datakey")).isEqualTo(1);
    }
  }

  @Test
  void generateDataKeyIsOneDatakeyCall() {
    try (DataKey dataKey = wrapper.generateDataKey(ORDERS, 32, ACME)) {
      assertThat(vault.requests("datakey")).isEqualTo(1);
      assertThat(vault.requests("encrypt")).isZero();
      assertThat(wrapper.unwrap(dataKey.wrappedKey(), ACME)).isEqualTo(dataKey.plaintextKey());
    }
    assertThat(events.getFirst().operation()).isEqualTo(Operation.GENERATE_DATA_KEY);
    try (DataKey odd = wrapper.generateDataKey(ORDERS, 24, ACME)) {
      assertThat(vault.requests("encrypt")).isEqualTo(1);
      assertThat(wrapper.unwrap(odd.wrappedKey(), ACME)).isEqualTo(odd.plaintextKey());
    }
  }

  @Test
  void aKeyThatIsNotDerivedIsRefused() {
    vault.createKey("transit/plain", false);

    assertThatThrownBy(
            () ->
                wrapper.wrap(
                    KeyRef.parse("vault-transit:transit/plain"), CryptoRandom.bytes(32), ACME))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("derived=true");
    assertThat(vault.requests("encrypt")).isZero();
  }

  @Test
  void anUnknownKeyIsAConfigurationError() {
    assertThatThrownBy(
            () ->
                wrapper.wrap(
                    KeyRef.parse("vault-transit:transit/missing"), CryptoRandom.bytes(32), ACME))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("404");
  }

  @Test
  void badArgumentsAreInvalidInput() {
    assertThatThrownBy(() -> wrapper.wrap(KeyRef.parse("local:x"), CryptoRandom.bytes(32), ACME))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> wrapper.wrap(ORDERS, new byte[8], ACME))
        .isInstanceOf(InvalidInputException.class);
    assertThat(vault.requests("encrypt")).isZero();
  }

  @Test
  void throttlingAndSealedBurstsAreRetried() {
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped = wrapper.wrap(ORDERS, dataKey, ACME);
    vault.failNext(1, 429, "rate limit quota exceeded");
    vault.failNext(1, 503, "Vault is sealed");
    vault.failNext(1, 500, "internal error");

    assertThat(wrapper.unwrap(wrapped, ACME)).isEqualTo(dataKey);
    assertThat(vault.requests("decrypt")).isEqualTo(4);
  }

  @Test
  void aRateLimitQuotasRetryAfterIsWaitedOut() {
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped = wrapper.wrap(ORDERS, dataKey, ACME);
    vault.throttleNext("1");

    long started = System.nanoTime();
    byte[] unwrapped = wrapper.unwrap(wrapped, ACME);

    assertThat(unwrapped).isEqualTo(dataKey);
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(vault.requests("decrypt")).isEqualTo(2);
  }

  @Test
  void aBurstLongerThanTheAttemptsIsKeyUnavailable() {
    wrapper.wrap(ORDERS, CryptoRandom.bytes(32), ACME);
    vault.failNext(10, 503, "Vault is sealed");

    assertThatThrownBy(() -> wrapper.wrap(ORDERS, CryptoRandom.bytes(32), ACME))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("gave up after 4 attempts")
        .hasMessageContaining("sealed");
    assertThat(vault.requests("encrypt")).isEqualTo(5);
    assertThat(events.getLast().outcome()).isEqualTo(Outcome.KEY_UNAVAILABLE);
  }

  @Test
  void accessDeniedIsNotRetriedAndNeverShowsTheToken() {
    try (VaultTransitKeyWrapper stranger = withToken("s.not-a-valid-token").build()) {
      assertThatThrownBy(() -> stranger.wrap(ORDERS, CryptoRandom.bytes(32), ACME))
          .isInstanceOf(KeyAccessDeniedException.class)
          .hasMessageContaining("403")
          .hasMessageNotContaining("not-a-valid-token");
      assertThat(stranger.toString()).doesNotContain("not-a-valid-token");
    }
    assertThat(vault.requests("keys")).isEqualTo(1);
  }

  @Test
  void aHangingVaultTimesOutEachAttempt() {
    wrapper.wrap(ORDERS, CryptoRandom.bytes(32), ACME);
    vault.hangNext(2);
    RetryPolicy shortAttempts =
        RetryPolicy.builder()
            .maxAttempts(2)
            .baseDelay(Duration.ofMillis(1))
            .attemptTimeout(Duration.ofMillis(300))
            .build();

    try (VaultTransitKeyWrapper impatient =
        withToken(LoopbackVaultServer.ROOT_TOKEN).retryPolicy(shortAttempts).build()) {
      assertThatThrownBy(() -> impatient.wrap(ORDERS, CryptoRandom.bytes(32), ACME))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("gave up after 2 attempts")
          .hasRootCauseInstanceOf(HttpTimeoutException.class);
    }
  }

  @Test
  void appRoleLogsInAgainWhenItsTokenIsRefused() {
    vault.addAppRole("orders-role", "orders-secret");
    byte[] dataKey = CryptoRandom.bytes(32);
    try (VaultTransitKeyWrapper approle = appRoleWrapper("orders-secret")) {
      WrappedKey wrapped = approle.wrap(ORDERS, dataKey, ACME);
      vault.expireIssuedTokens();

      assertThat(approle.unwrap(wrapped, ACME)).isEqualTo(dataKey);
      assertThat(vault.requests("login")).isEqualTo(2);
      assertThat(approle.toString()).doesNotContain("orders-secret");
    }
  }

  @Test
  void aPolicyRefusalWithAValidAppRoleTokenIsAccessDeniedWithoutLoggingInAgain() {
    vault.addAppRole("orders-role", "orders-secret");
    vault.deny("transit/keys/orders");
    try (VaultTransitKeyWrapper approle = appRoleWrapper("orders-secret")) {
      for (int call = 0; call < 3; call++) {
        assertThatThrownBy(() -> approle.wrap(ORDERS, CryptoRandom.bytes(32), ACME))
            .isInstanceOf(KeyAccessDeniedException.class)
            .hasMessageContaining("transit/keys/orders")
            .hasMessageContaining("403");
      }
      assertThat(vault.requests("login")).isEqualTo(1);
      assertThat(vault.requests("lookup-self")).isEqualTo(3);
    }
  }

  @Test
  void aTokenRefusedAgainSoonAfterALoginIsAccessDeniedWithoutAnotherLogin() {
    vault.addAppRole("orders-role", "orders-secret");
    try (VaultTransitKeyWrapper approle = appRoleWrapper("orders-secret")) {
      WrappedKey wrapped = approle.wrap(ORDERS, CryptoRandom.bytes(32), ACME);
      vault.expireIssuedTokens();
      approle.unwrap(wrapped, ACME);
      vault.expireIssuedTokens();

      assertThatThrownBy(() -> approle.unwrap(wrapped, ACME))
          .isInstanceOf(KeyAccessDeniedException.class);
      assertThat(vault.requests("login")).isEqualTo(2);
    }
  }

  @Test
  void appRoleLogsInAgainBeforeTheTtlRunsOut() throws Exception {
    vault.addAppRole("orders-role", "orders-secret");
    vault.tokenTtl(Duration.ofSeconds(1));
    try (VaultTransitKeyWrapper approle = appRoleWrapper("orders-secret")) {
      WrappedKey wrapped = approle.wrap(ORDERS, CryptoRandom.bytes(32), ACME);
      Thread.sleep(Duration.ofMillis(700));

      approle.unwrap(wrapped, ACME);

      assertThat(vault.requests("login")).isEqualTo(2);
      assertThat(vault.requests("decrypt")).isEqualTo(1);
    }
  }

  @Test
  void aRefusedAppRoleLoginIsAccessDenied() {
    vault.addAppRole("orders-role", "orders-secret");
    try (VaultTransitKeyWrapper approle = appRoleWrapper("wrong-secret")) {
      assertThatThrownBy(() -> approle.wrap(ORDERS, CryptoRandom.bytes(32), ACME))
          .isInstanceOf(KeyAccessDeniedException.class)
          .hasMessageContaining("AppRole")
          .hasMessageNotContaining("wrong-secret");
    }
    assertThat(vault.requests("login")).isEqualTo(1);
  }

  @Test
  void envelopeRoundTripsThroughVault() {
    Envelope envelope = Envelope.builder().kek(ORDERS).keyWrapper(wrapper).build();
    byte[] plaintext = "order 42".getBytes(StandardCharsets.UTF_8);

    byte[] message = envelope.encrypt(plaintext, ACME);

    assertThat(envelope.decrypt(message, ACME)).isEqualTo(plaintext);
    assertThatThrownBy(() -> envelope.decrypt(message, EncryptionContext.of("tenant", "evil")))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void withADataKeyCacheEnvelopeKeepsWorkingForCachedKeysWhenVaultDies() {
    Envelope envelope =
        Envelope.builder()
            .kek(ORDERS)
            .keyWrapper(wrapper)
            .dataKeyCache(DataKeyCache.builder().maxAge(Duration.ofMinutes(5)).build())
            .build();
    byte[] plaintext = "order 42".getBytes(StandardCharsets.UTF_8);
    byte[] before = envelope.encrypt(plaintext, ACME);
    assertThat(envelope.decrypt(before, ACME)).isEqualTo(plaintext);

    vault.close();

    byte[] during = envelope.encrypt(plaintext, ACME);
    assertThat(envelope.decrypt(during, ACME)).isEqualTo(plaintext);
    assertThat(envelope.decrypt(before, ACME)).isEqualTo(plaintext);
    assertThatThrownBy(() -> envelope.encrypt(plaintext, EncryptionContext.of("tenant", "other")))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("could not be reached");
  }

  @Test
  void configurationComesFromTheEnvironment(@TempDir Path dir) throws Exception {
    vault.addAppRole("file-role", "file-secret");
    Path roleId = Files.writeString(dir.resolve("role-id"), "file-role\n");
    Path secretId = Files.writeString(dir.resolve("secret-id"), "file-secret\n");
    byte[] dataKey = CryptoRandom.bytes(32);

    try (VaultTransitKeyWrapper fromFiles =
        VaultTransitKeyWrapper.fromEnvironment(
                Map.of(
                    "VAULT_ADDR", vault.address().toString(),
                    "VAULT_ROLE_ID_FILE", roleId.toString(),
                    "VAULT_SECRET_ID_FILE", secretId.toString()))
            .build()) {
      assertThat(fromFiles.unwrap(fromFiles.wrap(ORDERS, dataKey, ACME), ACME)).isEqualTo(dataKey);
    }
    assertThatThrownBy(() -> VaultTransitKeyWrapper.fromEnvironment(Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("VAULT_ADDR");
    assertThatThrownBy(
            () ->
                VaultTransitKeyWrapper.fromEnvironment(Map.of("VAULT_ADDR", "http://127.0.0.1:1")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("VAULT_TOKEN");
    Path notPem = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
    assertThatThrownBy(
            () ->
                VaultTransitKeyWrapper.fromEnvironment(
                        Map.of(
                            "VAULT_ADDR", "https://127.0.0.1:1",
                            "VAULT_TOKEN", "t",
                            "VAULT_CACERT", notPem.toString()))
                    .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("CA certificates");
  }

  /** A wrapper logging in to the loopback Vault as AppRole "orders-role" with {@code secretId}. */
  private VaultTransitKeyWrapper appRoleWrapper(String secretId) {
    return VaultTransitKeyWrapper.builder()
        .address(vault.address())
        .appRole("orders-role", secretId)
        .retryPolicy(FAST_RETRIES)
        .build();
  }
}
