package com.plugsky.crypto.kms.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.DecryptionResult;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.envelope.EnvelopeHeader;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.kms.aws.AwsKmsKeyWrapper;
import com.plugsky.crypto.kms.aws.moto.KmsCallCounter;
import com.plugsky.crypto.kms.aws.moto.MotoExtension;
import com.plugsky.crypto.kms.aws.moto.MotoServer;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kms.KmsClient;

/** Region routing over AWS KMS keys in two moto regions. */
@ExtendWith(MotoExtension.class)
class RegionRoutingIT {
  private static final String EU = "eu-west-1";
  private static final String US = "us-east-1";
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");
  private static final byte[] PLAINTEXT = "order 42".getBytes(StandardCharsets.UTF_8);

  private MotoServer moto;
  private KeyRef euKey;
  private KeyRef usKey;

  @BeforeEach
  void setUp(MotoServer moto) {
    this.moto = moto;
    euKey = moto.createKey(EU);
    usKey = moto.createKey(US);
  }

  private RegionRouting routing(String local, boolean all) {
    return RegionRouting.builder(local)
        .region(EU, euKey)
        .region(US, usKey)
        .encryptUnderAllRegions(all)
        .build();
  }

  private Envelope envelope(RegionRouting routing, AwsKmsKeyWrapper wrapper) {
    return routing.applyTo(Envelope.builder()).keyWrapper(wrapper).build();
  }

  private AwsKmsKeyWrapper.Builder wrapper(String local, KmsCallCounter calls) {
    return AwsKmsKeyWrapper.builder()
        .endpoint(moto.endpoint())
        .region(local)
        .credentialsProvider(MotoServer.CREDENTIALS)
        .addInterceptor(calls);
  }

  @Test
  void eachRegionOpensAnAllRegionsMessageWithItsOwnKeyInItsOwnRegion() {
    KmsCallCounter euCalls = new KmsCallCounter();
    KmsCallCounter usCalls = new KmsCallCounter();
    try (AwsKmsKeyWrapper euWrapper = wrapper(EU, euCalls).build();
        AwsKmsKeyWrapper usWrapper = wrapper(US, usCalls).build()) {
      byte[] message = envelope(routing(EU, true), euWrapper).encrypt(PLAINTEXT, CONTEXT);
      assertThat(Envelope.inspect(message).wrappedKeys())
          .extracting(EnvelopeHeader.WrappedKeyInfo::keyRef)
          .containsExactly(euKey.toString(), usKey.toString());
      // One call per region's key: GenerateDataKey under the first, Encrypt under the second.
      assertThat(euCalls.count("GenerateDataKey")).isEqualTo(1);
      assertThat(euCalls.count("Encrypt")).isEqualTo(1);

      DecryptionResult inUs =
          envelope(routing(US, false), usWrapper).decryptWithDetails(message, CONTEXT);
      DecryptionResult inEu =
          envelope(routing(EU, false), euWrapper).decryptWithDetails(message, CONTEXT);

      assertThat(inUs.plaintext()).isEqualTo(PLAINTEXT);
      assertThat(inUs.openedBy()).isEqualTo(usKey);
      assertThat(inEu.openedBy()).isEqualTo(euKey);
      assertThat(usCalls.count("Decrypt")).isEqualTo(1);
      assertThat(euCalls.count("Decrypt")).isEqualTo(1);
    }
  }

  @Test
  void aLocalOnlyMessageOpensInAnotherRegionThroughTheOriginalRegionsKey() {
    KmsCallCounter calls = new KmsCallCounter();
    try (AwsKmsKeyWrapper euWrapper = wrapper(EU, calls).build();
        AwsKmsKeyWrapper usWrapper = wrapper(US, calls).build()) {
      byte[] message = envelope(routing(EU, false), euWrapper).encrypt(PLAINTEXT, CONTEXT);
      assertThat(Envelope.inspect(message).wrappedKeys()).hasSize(1);

      DecryptionResult inUs =
          envelope(routing(US, false), usWrapper).decryptWithDetails(message, CONTEXT);

      assertThat(inUs.plaintext()).isEqualTo(PLAINTEXT);
      assertThat(inUs.openedBy()).isEqualTo(euKey);
    }
  }

  @Test
  void whenTheLocalRegionIsDownDecryptionFallsBackToAnotherRegion() throws IOException {
    byte[] message;
    try (AwsKmsKeyWrapper euWrapper = wrapper(EU, new KmsCallCounter()).build()) {
      message = envelope(routing(EU, true), euWrapper).encrypt(PLAINTEXT, CONTEXT);
    }
    // eu-west-1's KMS is a loopback port nobody listens on; us-east-1 is moto.
    try (KmsClient deadEu = MotoServer.client(URI.create("http://127.0.0.1:" + closedPort()), EU);
        AwsKmsKeyWrapper wrapper =
            AwsKmsKeyWrapper.builder()
                .client(deadEu)
                .endpoint(moto.endpoint())
                .credentialsProvider(MotoServer.CREDENTIALS)
                .retryPolicy(
                    RetryPolicy.builder()
                        .maxAttempts(2)
                        .baseDelay(Duration.ofMillis(10))
                        .attemptTimeout(Duration.ofSeconds(2))
                        .build())
                .build()) {
      DecryptionResult opened =
          envelope(routing(EU, false), wrapper).decryptWithDetails(message, CONTEXT);

      assertThat(opened.plaintext()).isEqualTo(PLAINTEXT);
      assertThat(opened.openedBy()).isEqualTo(usKey);
    }
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
