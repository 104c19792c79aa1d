package com.plugsky.crypto.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.kms.aws.fault.FaultInjectingProxy;
import com.plugsky.crypto.kms.aws.fault.FaultInjectingProxy.Fault;
import com.plugsky.crypto.kms.aws.moto.MotoExtension;
import com.plugsky.crypto.kms.aws.moto.MotoServer;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Which region a multi-Region key's Decrypt goes to, seen on the wire: one proxy per region in
 * front of moto. (moto names its multi-Region keys mrk-<UUID>, which is not the mrk-<32 hex> form
 * AWS uses and KeyRef accepts, so the key here exists in neither region and moto answers NotFound;
 * what is checked is where each request went and which KeyId it named.)
 */
@ExtendWith(MotoExtension.class)
class MultiRegionKeyIT {
  private static final String HOME = "us-east-1";
  private static final String LOCAL = "eu-west-1";
  private static final String MRK = "mrk-1234abcd12ab34cd56ef1234567890ab";
  private static final KeyRef KEY =
      KeyRef.parse("aws-kms:arn:aws:kms:" + HOME + ":123456789012:key/" + MRK);
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  private FaultInjectingProxy home;
  private FaultInjectingProxy local;
  private KmsClient homeClient;
  private KmsClient localClient;
  private AwsKmsKeyWrapper wrapper;

  @BeforeEach
  void setUp(MotoServer moto) {
    home = FaultInjectingProxy.start(moto.endpoint());
    local = FaultInjectingProxy.start(moto.endpoint());
    homeClient = MotoServer.client(home.endpoint(), HOME);
    localClient = MotoServer.client(local.endpoint(), LOCAL);
    wrapper =
        AwsKmsKeyWrapper.builder()
            .client(localClient)
            .client(homeClient)
            .region(LOCAL)
            .retryPolicy(
                RetryPolicy.builder().maxAttempts(2).baseDelay(Duration.ofMillis(5)).build())
            .build();
  }

  @AfterEach
  void tearDown() {
    wrapper.close();
    homeClient.close();
    localClient.close();
    home.close();
    local.close();
  }

  @Test
  void decryptAsksTheLocalReplicaFirstThenTheHomeRegion() {
    WrappedKey wrapped = new WrappedKey(KEY, CryptoRandom.bytes(200));

    assertThatThrownBy(() -> wrapper.unwrap(wrapped, CONTEXT))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("in " + HOME)
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));

    assertThat(local.requests()).containsExactly("Decrypt");
    assertThat(local.bodies().getFirst())
        .contains("arn:aws:kms:" + LOCAL + ":123456789012:key/" + MRK);
    assertThat(home.requests()).containsExactly("Decrypt");
    assertThat(home.bodies().getFirst()).contains(KEY.toString().substring("aws-kms:".length()));
  }

  @Test
  void aLocalReplicaThatIsDownFallsBackToTheHomeRegionAfterItsRetries() {
    local.enqueue(Fault.serviceUnavailable(), Fault.serviceUnavailable());

    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(KEY, CryptoRandom.bytes(200)), CONTEXT))
        .isInstanceOf(KeyAccessDeniedException.class);

    assertThat(local.requests()).hasSize(2);
    assertThat(home.requests()).containsExactly("Decrypt");
  }

  @Test
  void credentialsTheReplicasRegionRejectsAreNotTriedInTheHomeRegion() {
    local.enqueue(Fault.error(400, "UnrecognizedClientException"));

    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(KEY, CryptoRandom.bytes(200)), CONTEXT))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("UnrecognizedClientException")
        .hasMessageContaining("in " + LOCAL);

    assertThat(local.requests()).containsExactly("Decrypt");
    assertThat(home.requests()).isEmpty();
  }

  @Test
  void theFallbackToTheHomeRegionGetsOnlyWhatIsLeftOfTheDeadline() {
    local.hangEverything(true);
    RetryPolicy shortDeadline =
        RetryPolicy.builder()
            .maxAttempts(3)
            .baseDelay(Duration.ofMillis(5))
            .attemptTimeout(Duration.ofMillis(400))
            .deadline(Duration.ofMillis(700))
            .build();
    try (AwsKmsKeyWrapper impatient =
        AwsKmsKeyWrapper.builder()
            .client(localClient)
            .client(homeClient)
            .region(LOCAL)
            .retryPolicy(shortDeadline)
            .build()) {
      long started = System.nanoTime();

      assertThatThrownBy(
              () -> impatient.unwrap(new WrappedKey(KEY, CryptoRandom.bytes(200)), CONTEXT))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("in " + HOME)
          .hasMessageContaining("deadline");

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
      assertThat(local.requests()).hasSize(2);
      assertThat(home.requests()).isEmpty();
    }
  }

  @Test
  void wrapUsesTheRegionTheKeyRefNames() {
    assertThatThrownBy(() -> wrapper.wrap(KEY, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(KeyAccessDeniedException.class);

    assertThat(home.requests()).containsExactly("Encrypt");
    assertThat(local.requests()).isEmpty();
  }

  @Test
  void aSingleRegionKeyIsDecryptedOnlyInItsOwnRegion(MotoServer moto) {
    KeyRef single = moto.createKey(HOME);
    try (AwsKmsKeyWrapper direct =
        AwsKmsKeyWrapper.builder()
            .client(homeClient)
            .endpoint(moto.endpoint())
            .credentialsProvider(MotoServer.CREDENTIALS)
            .region(LOCAL)
            .build()) {
      byte[] dataKey = CryptoRandom.bytes(32);
      WrappedKey wrapped = direct.wrap(single, dataKey, CONTEXT);

      assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
      assertThat(local.requests()).isEmpty();
      assertThat(home.requests()).containsExactly("Encrypt", "Decrypt");
    }
  }
}
