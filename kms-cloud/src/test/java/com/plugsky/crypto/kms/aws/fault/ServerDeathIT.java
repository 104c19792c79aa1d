package com.plugsky.crypto.kms.aws.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.DataKeyCache;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.kms.aws.AwsKmsKeyWrapper;
import com.plugsky.crypto.kms.aws.moto.KmsCallCounter;
import com.plugsky.crypto.kms.aws.moto.MotoServer;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * AWS KMS dies mid-run (this test's own moto_server is stopped by PID): an Envelope with a data-key
 * cache keeps encrypting and decrypting for the keys it holds, and reports the rest as retryable
 * {@link KeyUnavailableException}s that say KMS cannot be reached.
 */
class ServerDeathIT {
  private static final String REGION = "eu-west-1";
  private static final EncryptionContext CACHED = EncryptionContext.of("tenant", "acme");
  private static final EncryptionContext NOT_UNWRAPPED = EncryptionContext.of("tenant", "globex");
  private static final EncryptionContext NEW = EncryptionContext.of("tenant", "initech");

  private final MotoServer moto = MotoServer.start();

  @AfterEach
  void stopMoto() {
    moto.close();
  }

  @Test
  void cachedKeysKeepWorkingWhileKmsIsDeadAndTheRestFailClearly() {
    KeyRef key = moto.createKey(REGION);
    KmsCallCounter calls = new KmsCallCounter();
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(3)
            .baseDelay(Duration.ofMillis(20))
            .attemptTimeout(Duration.ofSeconds(1))
            .deadline(Duration.ofSeconds(3))
            .build();
    try (AwsKmsKeyWrapper wrapper =
        AwsKmsKeyWrapper.builder()
            .endpoint(moto.endpoint())
            .region(REGION)
            .credentialsProvider(MotoServer.CREDENTIALS)
            .retryPolicy(policy)
            .addInterceptor(calls)
            .build()) {
      DataKeyCache cache =
          DataKeyCache.builder().maxAge(Duration.ofMinutes(5)).maxMessagesPerKey(1000).build();
      Envelope envelope =
          Envelope.builder().kek(key).keyWrapper(wrapper).dataKeyCache(cache).build();
      byte[] first = envelope.encrypt(text("first"), CACHED);
      assertThat(envelope.decrypt(first, CACHED)).isEqualTo(text("first"));
      byte[] sealedBeforeDeath = envelope.encrypt(text("other tenant"), NOT_UNWRAPPED);
      assertThat(calls.count("GenerateDataKey")).isEqualTo(2);
      assertThat(calls.count("Decrypt")).isEqualTo(1);

      long pid = moto.pid();
      moto.close();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));

      for (int i = 0; i < 50; i++) {
        byte[] message = envelope.encrypt(text("message " + i), CACHED);
        assertThat(envelope.decrypt(message, CACHED)).isEqualTo(text("message " + i));
      }
      assertThat(envelope.decrypt(first, CACHED)).isEqualTo(text("first"));
      assertThat(calls.count("GenerateDataKey")).isEqualTo(2);
      assertThat(calls.count("Decrypt")).isEqualTo(1);

      assertThatThrownBy(() -> envelope.encrypt(text("new tenant"), NEW))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("cannot reach AWS KMS")
          .hasMessageContaining(key.toString())
          .satisfies(e -> assertThat(((CryptoException) e).isRetryable()).isTrue());
      assertThatThrownBy(() -> envelope.decrypt(sealedBeforeDeath, NOT_UNWRAPPED))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("Decrypt on " + key);
      assertThat(cache.stats().wrapsAvoided()).isGreaterThanOrEqualTo(50);
    }
  }

  private static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }
}
