package com.plugsky.crypto.kms.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.CredentialUnavailableException;
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
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrappers;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.kms.azure.LoopbackKeyVault.Fault;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

class AzureKeyVaultKeyWrapperTest {
  static final String TOKEN = KeyVaultFixture.TOKEN;
  static final String VAULT = KeyVaultFixture.VAULT;
  static final String HSM = KeyVaultFixture.HSM;
  static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme-secret-tenant");

  static SelfSignedTls tls;
  static LoopbackKeyVault vault;
  static String rsa2048Version;

  final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  final FixedTokenCredential credential = new FixedTokenCredential(TOKEN);

  @BeforeAll
  static void useSharedVault() throws Exception {
    KeyVaultFixture fixture = KeyVaultFixture.shared();
    tls = fixture.tls();
    vault = fixture.vault();
    rsa2048Version = fixture.rsa2048Version();
  }

  @BeforeEach
  void resetVault() {
    vault.clearFaults();
    vault.clearRequests();
  }

  static RetryPolicy fastRetries() {
    return RetryPolicy.builder()
        .maxAttempts(4)
        .baseDelay(Duration.ofMillis(5))
        .maxDelay(Duration.ofMillis(40))
        .attemptTimeout(Duration.ofSeconds(5))
        .deadline(Duration.ofSeconds(20))
        .build();
  }

  AzureKeyVaultKeyWrapper.Builder wrapperBuilder() {
    return AzureKeyVaultKeyWrapper.builder()
        .credential(credential)
        .endpoint(vault.endpoint())
        .sslContext(tls.clientContext())
        .retryPolicy(fastRetries())
        .auditSink(events::add);
  }

  AzureKeyVaultKeyWrapper wrapper() {
    return wrapperBuilder().build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"orders-rsa", "orders-rsa3072"})
  void rsaOaep256RoundTripsAndRecordsTheKeyVersion(String keyName) {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + keyName);
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    byte[] dataKey = CryptoRandom.bytes(32);

    WrappedKey wrapped = wrapper.wrap(keyRef, dataKey, CONTEXT);

    int modulusBytes = keyName.endsWith("3072") ? 384 : 256;
    assertThat(wrapped.length()).isEqualTo(20 + modulusBytes + 12 + 32 + 16);
    assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
    String unwrapPath = vault.requests().getLast().path();
    assertThat(unwrapPath).matches("/keys/" + keyName + "/[0-9a-f]{32}/unwrapkey");
  }

  @Test
  void a256kwRoundTripsOnAManagedHsmOctKey() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + HSM + "orders-oct");
    AzureKeyVaultKeyWrapper wrapper =
        wrapperBuilder().algorithm(KeyVaultWrapAlgorithm.A256KW).build();
    for (int length : new int[] {16, 32, 64}) {
      byte[] dataKey = CryptoRandom.bytes(length);
      WrappedKey wrapped = wrapper.wrap(keyRef, dataKey, CONTEXT);
      assertThat(wrapped.length()).isEqualTo(20 + 40 + 12 + length + 16);
      assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
    }
  }

  @Test
  void anRsaOnlyWrapperStillUnwrapsWhatA256kwWrapped() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + HSM + "orders-oct");
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped =
        wrapperBuilder()
            .algorithm(KeyVaultWrapAlgorithm.A256KW)
            .build()
            .wrap(keyRef, dataKey, CONTEXT);

    assertThat(wrapper().unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
  }

  @Test
  void aWrappingAlgorithmTheKeyTypeLacksIsAConfigurationError() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + HSM + "orders-oct");

    assertThatThrownBy(() -> wrapper().wrap(keyRef, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("HTTP 400");
    assertThat(vault.keyOperations()).isEqualTo(1);
  }

  @Test
  void unwrapsWithTheRecordedVersionAfterTheKeyRotates() throws Exception {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "rotating");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey before = wrapper.wrap(keyRef, dataKey, CONTEXT);

    String newVersion = vault.addRsaKey("rotating", 2048);
    WrappedKey after = wrapper.wrap(keyRef, dataKey, CONTEXT);

    assertThat(wrapper.unwrap(before, CONTEXT)).isEqualTo(dataKey);
    assertThat(wrapper.unwrap(after, CONTEXT)).isEqualTo(dataKey);
    assertThat(vault.requests().getLast().path())
        .isEqualTo("/keys/rotating/" + newVersion + "/unwrapkey");
  }

  @Test
  void aPinnedVersionIsTheOneUsedAndRecorded() {
    KeyRef pinned = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa/" + rsa2048Version);
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    byte[] dataKey = CryptoRandom.bytes(32);

    WrappedKey wrapped = wrapper.wrap(pinned, dataKey, CONTEXT);

    assertThat(vault.requests().getLast().path())
        .isEqualTo("/keys/orders-rsa/" + rsa2048Version + "/wrapkey");
    assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
  }

  @Test
  void aDifferentContextFailsAuthentication() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    WrappedKey wrapped = wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT);

    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.of("tenant", "other")))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("integrity check");
    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.empty()))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void bytesMovedUnderAnotherKeyRefFailAuthentication() {
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    KeyRef versionless = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    WrappedKey wrapped = wrapper.wrap(versionless, CryptoRandom.bytes(32), CONTEXT);
    KeyRef pinned = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa/" + rsa2048Version);

    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(pinned, wrapped.bytes()), CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void tamperedSealedDataKeyFailsAuthenticationHere() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    byte[] bytes = wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT).bytes();
    bytes[bytes.length - 1] ^= 1;

    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(keyRef, bytes), CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void tamperedIntermediateWrappingIsRefusedByKeyVaultAsAuthenticationFailure() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    byte[] bytes = wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT).bytes();
    bytes[30] ^= 1;
    vault.clearRequests();

    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(keyRef, bytes), CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("HTTP 400");
    assertThat(vault.keyOperations()).isEqualTo(1);
  }

  @Test
  void malformedBytesAreRefusedBeforeAnyRequest() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    byte[] good = wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT).bytes();
    vault.clearRequests();
    byte[] otherVersion = good.clone();
    otherVersion[0] = 2;
    byte[] unknownAlgorithm = good.clone();
    unknownAlgorithm[1] = 9;
    byte[] wrongWrappedLength = good.clone();
    wrongWrappedLength[19] = 41;

    for (byte[] bad :
        List.of(
            new byte[0],
            otherVersion,
            unknownAlgorithm,
            wrongWrappedLength,
            Arrays.copyOf(good, 19),
            Arrays.copyOf(good, good.length - 17),
            Arrays.copyOf(good, good.length + 49))) {
      assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(keyRef, bad), CONTEXT))
          .isInstanceOf(MalformedCiphertextException.class);
    }
    assertThat(vault.requests()).isEmpty();
  }

  @Test
  void retriesThroughAThrottlingBurst() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped = wrapper.wrap(keyRef, dataKey, CONTEXT);
    vault.clearRequests();
    vault.failNext(Fault.throttled(), Fault.throttled(), Fault.throttled());

    assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
    assertThat(vault.keyOperations()).isEqualTo(4);
  }

  @Test
  void waitsAsLongAsTheVaultAsksBeforeRetrying() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    vault.failNext(Fault.throttled("1"));

    long started = System.nanoTime();
    WrappedKey wrapped = wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(wrapped.length()).isPositive();
    assertThat(vault.keyOperations()).isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"30", "Wed, 21 Oct 2099 07:28:00 GMT"})
  void givesUpAtOnceWhenTheVaultAsksForAWaitPastTheDeadline(String retryAfter) {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper =
        wrapperBuilder()
            .retryPolicy(RetryPolicy.builder().maxAttempts(4).deadline(Duration.ofSeconds(5)).build())
            .build();
    vault.failNext(Fault.throttled(retryAfter));

    assertThatThrownBy(() -> wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOfSatisfying(
            KeyUnavailableException.class,
            e -> assertThat(e.getCause()).isInstanceOfSatisfying(
                KeyUnavailableException.class,
                cause -> assertThat(cause.retryAfter()).hasValueSatisfying(
                    wait -> assertThat(wait).isGreaterThanOrEqualTo(Duration.ofSeconds(29)))))
        .hasMessageContaining("gave up after 1 attempt (the backend asked to wait")
        .hasMessageContaining("past the deadline of 5000 ms");
    assertThat(vault.keyOperations()).isEqualTo(1);
  }

  @Test
  void retriesThroughServerErrors() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    vault.failNext(
        Fault.status(500, "InternalServerError"), Fault.status(503, "ServiceUnavailable"));

    WrappedKey wrapped = wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT);

    assertThat(wrapped.length()).isPositive();
    assertThat(vault.keyOperations()).isEqualTo(3);
  }

  @Test
  void givesUpAfterTheAttemptsWithARetryableFailure() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    vault.failNext(
        Fault.throttled(),
        Fault.throttled(),
        Fault.throttled(),
        Fault.throttled(),
        Fault.throttled());

    assertThatThrownBy(() -> wrapper().wrap(keyRef, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOfSatisfying(
            KeyUnavailableException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("gave up after 4 attempts")
        .hasMessageContaining("HTTP 429")
        .hasMessageContaining("retry after 0 ms");
    assertThat(vault.keyOperations()).isEqualTo(4);
    assertThat(events).extracting(AuditEvent::outcome).containsExactly(Outcome.KEY_UNAVAILABLE);
  }

  @Test
  void accessDeniedIsNotRetried() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    vault.failNext(Fault.status(403, "Forbidden"), Fault.status(403, "Forbidden"));

    assertThatThrownBy(() -> wrapper().wrap(keyRef, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("HTTP 403")
        .hasMessageContaining("x-ms-request-id");
    assertThat(vault.keyOperations()).isEqualTo(1);
    assertThat(events).extracting(AuditEvent::outcome).containsExactly(Outcome.ACCESS_DENIED);
  }

  @Test
  void aMissingKeyIsAccessDeniedAndNotRetried() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "no-such-key");

    assertThatThrownBy(() -> wrapper().wrap(keyRef, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("HTTP 404");
    assertThat(vault.keyOperations()).isEqualTo(1);
  }

  @Test
  void aWrongTokenIsAccessDenied() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper =
        wrapperBuilder().credential(new FixedTokenCredential("not-the-token")).build();

    assertThatThrownBy(() -> wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("HTTP 401");
    assertThat(vault.keyOperations()).isZero();
  }

  @Test
  void noCredentialInTheEnvironmentIsAConfigurationError() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    TokenCredential missing =
        request -> Mono.error(new CredentialUnavailableException("no environment credential"));
    AzureKeyVaultKeyWrapper wrapper = wrapperBuilder().credential(missing).build();

    assertThatThrownBy(() -> wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("no Azure credential");
    assertThat(vault.keyOperations()).isZero();
  }

  @Test
  void oneWrapperServesManyThreads() throws Exception {
    KeyRef rsa = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    KeyRef rsa3072 = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa3072");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        KeyRef keyRef = i % 2 == 0 ? rsa : rsa3072;
        EncryptionContext context = EncryptionContext.of("n", Integer.toString(i));
        results.add(
            threads.submit(
                () -> {
                  byte[] dataKey = CryptoRandom.bytes(32);
                  return Arrays.equals(
                      wrapper.unwrap(wrapper.wrap(keyRef, dataKey, context), context), dataKey);
                }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
      }
    }
    assertThat(events)
        .hasSize(64)
        .allSatisfy(e -> assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS));
  }

  @Test
  void aHangingVaultTimesOutWithinTheDeadline() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper =
        wrapperBuilder()
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(2)
                    .baseDelay(Duration.ofMillis(5))
                    .attemptTimeout(Duration.ofMillis(700))
                    .deadline(Duration.ofSeconds(5))
                    .build())
            .build();
    wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT);
    vault.failNext(Fault.hang(), Fault.hang());

    long start = System.nanoTime();
    assertThatThrownBy(() -> wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("gave up after 2 attempts");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(took)
        .isGreaterThanOrEqualTo(Duration.ofMillis(1400))
        .isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void theWireCarriesTheAlgorithmAndAnIntermediateKeyButNeitherTheDataKeyNorTheContext()
      throws Exception {
    // A vault of its own: the SDK remembers each host's challenge, and this test checks the first.
    List<LoopbackKeyVault.Request> requests;
    List<String> wireTexts;
    byte[] dataKey = CryptoRandom.bytes(32);
    try (LoopbackKeyVault fresh = LoopbackKeyVault.start(tls.serverContext(), TOKEN)) {
      fresh.addRsaKey("orders-rsa", 2048);
      KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
      AzureKeyVaultKeyWrapper wrapper = wrapperBuilder().endpoint(fresh.endpoint()).build();

      WrappedKey wrapped = wrapper.wrap(keyRef, dataKey, CONTEXT);
      wrapper.unwrap(wrapped, CONTEXT);
      requests = fresh.requests();
      wireTexts = fresh.wireTexts();
    }

    // Key Vault's challenge: the first request goes without a token or body, gets 401, and is
    // repeated with a token for the resource the challenge named.
    assertThat(requests.getFirst().authorized()).isFalse();
    assertThat(requests.getFirst().body()).isEmpty();
    assertThat(credential.requests())
        .extracting(TokenRequestContext::getScopes)
        .allSatisfy(
            scopes -> assertThat(scopes).containsExactly(LoopbackKeyVault.RESOURCE + "/.default"));
    assertThat(credential.requests())
        .extracting(TokenRequestContext::getTenantId)
        .containsOnly(LoopbackKeyVault.TENANT);
    LoopbackKeyVault.Request wrap =
        requests.stream()
            .filter(r -> r.authorized() && r.path().endsWith("/wrapkey"))
            .findFirst()
            .orElseThrow();
    // Without a version the SDK leaves the segment empty; Key Vault then uses the current version.
    assertThat(wrap.path()).isEqualTo("/keys/orders-rsa//wrapkey");
    assertThat(wrap.query()).startsWith("api-version=");
    assertThat(wrap.body()).contains("\"alg\":\"RSA-OAEP-256\"");
    String value = wrap.body().replaceAll(".*\"value\":\"([^\"]+)\".*", "$1");
    byte[] sent = Base64.getUrlDecoder().decode(value);
    assertThat(sent).hasSize(32).isNotEqualTo(dataKey);
    String dataKeyBase64 = Base64.getUrlEncoder().withoutPadding().encodeToString(dataKey);
    assertThat(wireTexts)
        .allSatisfy(
            text ->
                assertThat(text)
                    .doesNotContain("acme-secret-tenant")
                    .doesNotContain(dataKeyBase64)
                    .doesNotContain(Base64.getEncoder().encodeToString(dataKey)));
    assertThat(requests).filteredOn(LoopbackKeyVault.Request::authorized).hasSize(2);
  }

  @Test
  void everyCallIsAuditedWithoutKeyMaterial() {
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped = wrapper.wrap(keyRef, dataKey, CONTEXT);
    wrapper.unwrap(wrapped, CONTEXT);
    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.empty()))
        .isInstanceOf(AuthenticationFailedException.class);

    assertThat(events)
        .extracting(
            AuditEvent::operation, AuditEvent::outcome, AuditEvent::bytes, AuditEvent::backend)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Operation.WRAP, Outcome.SUCCESS, 32L, "azure-kv"),
            org.assertj.core.groups.Tuple.tuple(Operation.UNWRAP, Outcome.SUCCESS, 32L, "azure-kv"),
            org.assertj.core.groups.Tuple.tuple(
                Operation.UNWRAP, Outcome.AUTHENTICATION_FAILED, 0L, "azure-kv"));
    assertThat(events).allSatisfy(e -> assertThat(e.keyRef()).contains(keyRef.toString()));
    assertThat(events.toString()).doesNotContain(TOKEN);
  }

  @Test
  void generateDataKeyAndRewrapUseTheDefaultsOverThisWrapper() {
    KeyRef rsa = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");
    KeyRef rsa3072 = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa3072");
    AzureKeyVaultKeyWrapper wrapper = wrapper();

    try (DataKey generated = wrapper.generateDataKey(rsa, 32, CONTEXT)) {
      WrappedKey moved = wrapper.rewrap(generated.wrappedKey(), rsa3072, CONTEXT);
      assertThat(moved.keyRef()).isEqualTo(rsa3072);
      assertThat(wrapper.unwrap(moved, CONTEXT)).isEqualTo(generated.plaintextKey());
    }
  }

  @Test
  void refusesOtherSchemesBadLengthsAndBadEndpoints() {
    AzureKeyVaultKeyWrapper wrapper = wrapper();
    KeyRef keyRef = KeyRef.parse("azure-kv:" + VAULT + "orders-rsa");

    assertThatThrownBy(() -> wrapper.wrap(KeyRef.parse("local:orders"), new byte[32], CONTEXT))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("azure-kv:");
    assertThatThrownBy(() -> wrapper.wrap(keyRef, new byte[15], CONTEXT))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> wrapper.wrap(keyRef, new byte[65], CONTEXT))
        .isInstanceOf(InvalidInputException.class);
    for (String endpoint :
        List.of("http://127.0.0.1:8443", "https://127.0.0.1:8443/keys", "https://h?x=1")) {
      assertThatThrownBy(() -> AzureKeyVaultKeyWrapper.builder().endpoint(URI.create(endpoint)))
          .isInstanceOf(InvalidInputException.class);
    }
    assertThat(vault.requests()).isEmpty();
    assertThat(wrapper.toString()).doesNotContain(TOKEN);
  }

  @Test
  void theProviderServesAzureKeyRefsThroughServiceLoader() {
    KeyWrapper found = KeyWrappers.forKeyRef(KeyRef.parse("azure-kv:" + VAULT + "orders-rsa"));

    assertThat(found).isInstanceOf(AzureKeyVaultKeyWrapper.class);
    assertThat(((AzureKeyVaultKeyWrapper) found).algorithm())
        .isEqualTo(KeyVaultWrapAlgorithm.RSA_OAEP_256);
  }
}
