package com.plugsky.crypto.kms.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.DataKeyCache;
import com.plugsky.crypto.envelope.DecryptionResult;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureKeyVaultEnvelopeTest {
  static final EncryptionContext CONTEXT =
      EncryptionContext.of("tenant", "acme", "purpose", "orders");
  static final KeyRef AZURE = KeyRef.parse("azure-kv:" + KeyVaultFixture.VAULT + "orders-rsa");
  static final KeyRef LOCAL = KeyRef.parse("local:orders-fallback");

  static KeyVaultFixture fixture;
  @TempDir Path keyDirectory;

  @BeforeAll
  static void useSharedVault() throws Exception {
    fixture = KeyVaultFixture.shared();
  }

  @Test
  void envelopeRoundTripsUnderAnAzureKek() {
    Envelope envelope =
        Envelope.builder().kek(AZURE).keyWrapper(fixture.wrapperBuilder().build()).build();
    byte[] plaintext = "order 1234: 3 parcels".getBytes(StandardCharsets.UTF_8);

    byte[] message = envelope.encrypt(plaintext, CONTEXT);

    assertThat(Envelope.inspect(message).wrappedKeys())
        .singleElement()
        .satisfies(info -> assertThat(info.keyRef()).isEqualTo(AZURE.toString()));
    assertThat(envelope.decrypt(message, CONTEXT)).isEqualTo(plaintext);
    assertThatThrownBy(() -> envelope.decrypt(message, EncryptionContext.of("tenant", "acme")))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void aVaultThatDiesMidRunLeavesCachedKeysWorkingAndTheRestFailClearly() throws Exception {
    DataKeyCache cache = DataKeyCache.builder().maxAge(Duration.ofMinutes(5)).build();
    byte[] plaintext = CryptoRandom.bytes(1024);
    byte[] cachedMessage;
    byte[] uncachedMessage;
    Envelope envelope;
    try (LoopbackKeyVault dying =
        LoopbackKeyVault.start(fixture.tls().serverContext(), KeyVaultFixture.TOKEN)) {
      dying.addRsaKey("orders-rsa", 2048);
      AzureKeyVaultKeyWrapper wrapper =
          AzureKeyVaultKeyWrapper.builder()
              .credential(new FixedTokenCredential(KeyVaultFixture.TOKEN))
              .endpoint(dying.endpoint())
              .sslContext(fixture.tls().clientContext())
              .retryPolicy(
                  RetryPolicy.builder()
                      .maxAttempts(2)
                      .baseDelay(Duration.ofMillis(5))
                      .attemptTimeout(Duration.ofSeconds(2))
                      .build())
              .build();
      envelope = Envelope.builder().kek(AZURE).keyWrapper(wrapper).dataKeyCache(cache).build();
      Envelope uncached = Envelope.builder().kek(AZURE).keyWrapper(wrapper).build();
      cachedMessage = envelope.encrypt(plaintext, CONTEXT);
      assertThat(envelope.decrypt(cachedMessage, CONTEXT)).isEqualTo(plaintext);
      uncachedMessage = uncached.encrypt(plaintext, EncryptionContext.of("tenant", "other"));
    }

    // The cache holds the data key with its wrapping, and what that wrapping unwrapped to.
    byte[] afterDeath = envelope.encrypt(plaintext, CONTEXT);
    assertThat(envelope.decrypt(afterDeath, CONTEXT)).isEqualTo(plaintext);
    assertThat(envelope.decrypt(cachedMessage, CONTEXT)).isEqualTo(plaintext);
    assertThat(cache.stats().unwrapsAvoided()).isPositive();
    assertThatThrownBy(
            () -> envelope.decrypt(uncachedMessage, EncryptionContext.of("tenant", "other")))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining(AZURE.toString());
  }

  @Test
  void decryptionFallsBackToAnotherKekWhileKeyVaultThrottles() {
    LocalKeyWrapper local = LocalKeyWrapper.builder().keyDirectory(keyDirectory).build();
    AzureKeyVaultKeyWrapper azure =
        fixture.wrapperBuilder().retryPolicy(RetryPolicy.none()).build();
    Envelope envelope =
        Envelope.builder().kek(AZURE).kek(LOCAL).keyWrapper(azure).keyWrapper(local).build();
    byte[] plaintext = CryptoRandom.bytes(100);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    fixture.vault().failNext(LoopbackKeyVault.Fault.throttled());

    DecryptionResult result = envelope.decryptWithDetails(message, CONTEXT);

    assertThat(result.plaintext()).isEqualTo(plaintext);
    assertThat(result.openedBy()).isEqualTo(LOCAL);
    assertThat(envelope.decryptWithDetails(message, CONTEXT).openedBy()).isEqualTo(AZURE);
  }
}
