package com.plugsky.crypto.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.EngineUnavailableException;
import org.junit.jupiter.api.Test;

class EnginesTest {

  @Test
  void findsTheJdkAndBcFipsEnginesAndRunsTheirSelfTests() {
    assertThat(Engines.status())
        .extracting(EngineStatus::name)
        .contains("jdk", "bc-fips");
    assertThat(Engines.available()).extracting(AeadEngine::name).contains("jdk", "bc-fips");
    assertThat(Engines.status()).allSatisfy(status -> assertThat(status.describe()).startsWith(status.name() + ": available"));
  }

  @Test
  void ranksTheMeasuredFastestEngineFirst() {
    assertThat(Engines.available().getFirst().name()).isEqualTo("jdk");
    assertThat(Engines.defaultEngine().name()).isEqualTo("jdk");
  }

  @Test
  void withoutApprovedOnlyModeNoEngineClaimsFipsApproval() {
    assertThat(Engines.fips()).isEmpty();
  }

  @Test
  void namingAnUnknownEngineListsTheKnownOnes() {
    assertThatThrownBy(() -> Engines.named("quantum"))
        .isInstanceOf(EngineUnavailableException.class)
        .hasMessageContaining("no engine named 'quantum'")
        .hasMessageContaining("jdk");
  }

  @Test
  void theSystemPropertyChoosesTheDefaultEngine() {
    System.setProperty(Engines.ENGINE_PROPERTY, "bc-fips");
    try {
      assertThat(Engines.defaultEngine().name()).isEqualTo("bc-fips");
    } finally {
      System.clearProperty(Engines.ENGINE_PROPERTY);
    }
  }

  @Test
  void anEngineForOneSizeOfArraysIsTheRoutingsPick() {
    AeadRouting routing = AeadRouting.measured();
    for (int size : new int[] {64, 1024, 64 * 1024, 1 << 20}) {
      // The JDK's warm-up may end between two calls, so the stand-in is as right as the rule.
      assertThat(Engines.forArrays(size)).isIn(routing.ruleFor(size, false), routing.standInFor(size));
    }
  }

  @Test
  void anEngineForOneSizeOfArraysFollowsTheSystemProperty() {
    System.setProperty(Engines.ENGINE_PROPERTY, "bc-fips");
    try {
      assertThat(Engines.forArrays(64 * 1024).name()).isEqualTo("bc-fips");
    } finally {
      System.clearProperty(Engines.ENGINE_PROPERTY);
    }
  }

  @Test
  void fipsPolicyWithoutAnApprovedEngineFailsClearly() {
    System.setProperty(Engines.FIPS_PROPERTY, "true");
    try {
      assertThatThrownBy(Engines::defaultEngine)
          .isInstanceOf(com.plugsky.crypto.ConfigurationException.class)
          .hasMessageContaining("no FIPS-approved engine is available");
    } finally {
      System.clearProperty(Engines.FIPS_PROPERTY);
    }
  }

  @Test
  void anEngineThatFailsItsKnownAnswerTestIsRejectedWithTheReason() {
    AeadEngine jdk = Engines.named("jdk");
    com.plugsky.crypto.primitive.SymmetricPrimitives real = jdk.primitives();
    AeadEngine broken =
        jdkWith(
            "broken",
            jdk.insecureRawGcm(),
            new com.plugsky.crypto.primitive.SymmetricPrimitives() {
              @Override
              public byte[] wrapKey(
                  com.plugsky.crypto.primitive.KeyWrapMode mode, byte[] kek, byte[] keyData) {
                return real.wrapKey(mode, kek, keyData);
              }

              @Override
              public byte[] unwrapKey(
                  com.plugsky.crypto.primitive.KeyWrapMode mode, byte[] kek, byte[] wrapped) {
                return real.unwrapKey(mode, kek, wrapped);
              }

              @Override
              public byte[] hmacSha256(byte[] key, byte[] message) {
                byte[] tag = real.hmacSha256(key, message);
                tag[0] ^= 1;
                return tag;
              }

              @Override
              public byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
                return real.hkdfSha256(ikm, salt, info, length);
              }
            });
    assertThatThrownBy(() -> KnownAnswerTest.run(broken))
        .isInstanceOf(SelfTestFailedException.class)
        .hasMessage("engine 'broken' failed its self-test: HMAC-SHA256 known answer");
  }

  @Test
  void anEngineThatThrowsDuringItsKnownAnswerTestFailsItAndSaysWhy() {
    AeadEngine jdk = Engines.named("jdk");
    com.plugsky.crypto.aead.InsecureRawGcm real = jdk.insecureRawGcm();
    AeadEngine throwing =
        jdkWith(
            "throwing",
            new com.plugsky.crypto.aead.InsecureRawGcm() {
              @Override
              public byte[] encrypt(
                  byte[] key, byte[] iv, byte[] associatedData, byte[] plaintext, int tagBits) {
                return real.encrypt(key, iv, associatedData, plaintext, tagBits);
              }

              @Override
              public byte[] decrypt(
                  byte[] key, byte[] iv, byte[] associatedData, byte[] ciphertext, byte[] tag) {
                throw new com.plugsky.crypto.AuthenticationFailedException("tag mismatch");
              }
            },
            jdk.primitives());

    assertThatThrownBy(() -> KnownAnswerTest.run(throwing))
        .isInstanceOf(SelfTestFailedException.class)
        .hasMessage("engine 'throwing' failed its self-test: tag mismatch")
        .hasCauseInstanceOf(com.plugsky.crypto.AuthenticationFailedException.class);
  }

  @Test
  void onlyAKnownAnswerTestFailureCountsAsAFailedSelfTest() {
    EngineStatus missingLibrary =
        new EngineStatus(
            "native", false, java.util.Optional.of(new UnsatisfiedLinkError("no libcrypto")));
    EngineStatus wrongAnswer =
        new EngineStatus(
            "broken",
            false,
            java.util.Optional.of(new SelfTestFailedException("engine 'broken' failed", null)));

    assertThat(missingLibrary.failedSelfTest()).isFalse();
    assertThat(wrongAnswer.failedSelfTest()).isTrue();
    assertThat(Engines.status()).noneMatch(EngineStatus::failedSelfTest);
  }

  /** The jdk engine renamed, with {@code rawGcm} and {@code primitives} in place of its own. */
  private static AeadEngine jdkWith(
      String name,
      com.plugsky.crypto.aead.InsecureRawGcm rawGcm,
      com.plugsky.crypto.primitive.SymmetricPrimitives primitives) {
    AeadEngine jdk = Engines.named("jdk");
    return new AeadEngine() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean isFipsApproved() {
        return false;
      }

      @Override
      public com.plugsky.crypto.aead.Aead newAead(byte[] key) {
        return jdk.newAead(key);
      }

      @Override
      public com.plugsky.crypto.aead.InsecureRawGcm insecureRawGcm() {
        return rawGcm;
      }

      @Override
      public com.plugsky.crypto.primitive.SymmetricPrimitives primitives() {
        return primitives;
      }
    };
  }
}
