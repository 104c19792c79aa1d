package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class DataKeySecretsTest {
  private static final int CONTEXT_END = 20;

  @Test
  void theSuite3CommitmentFollowsTheWrappedKeysItIsAskedAboutNotTheLastOnes()
      throws GeneralSecurityException {
    byte[] dataKey = CryptoRandom.bytes(32);
    byte[] first = header(CryptoRandom.bytes(60));
    byte[] second = header(CryptoRandom.bytes(61));
    for (KeyedHmac.Form form : KeyedHmac.Form.values()) {
      try (DataKeySecrets secrets =
          DataKeySecrets.derive(
              Format.SUITE_3, dataKey, Engines.defaultEngine().primitives(), form)) {
        byte[] a = commitment(secrets, first);
        byte[] b = commitment(secrets, second);

        assertThat(a).isEqualTo(expected(dataKey, first));
        assertThat(b).isEqualTo(expected(dataKey, second)).isNotEqualTo(a);
        assertThat(commitment(secrets, first)).as("asked again after another").isEqualTo(a);
      }
    }
  }

  @Test
  void anotherDataKeyCommitsDifferentlyToTheSameWrappedKeys() {
    byte[] header = header(CryptoRandom.bytes(60));
    try (DataKeySecrets one =
            DataKeySecrets.derive(
                Format.SUITE_3,
                CryptoRandom.bytes(32),
                Engines.defaultEngine().primitives(),
                KeyedHmac.Form.HELD_STATES);
        DataKeySecrets other =
            DataKeySecrets.derive(
                Format.SUITE_3,
                CryptoRandom.bytes(32),
                Engines.defaultEngine().primitives(),
                KeyedHmac.Form.HELD_PADS)) {
      assertThat(commitment(one, header)).isNotEqualTo(commitment(other, header));
    }
  }

  @Test
  void aCommitmentMatchesOnlyItselfOnFirstAndLaterChecks() {
    byte[] dataKey = CryptoRandom.bytes(32);
    for (KeyedHmac.Form form : KeyedHmac.Form.values()) {
      try (DataKeySecrets secrets =
          DataKeySecrets.derive(
              Format.SUITE_3, dataKey, Engines.defaultEngine().primitives(), form)) {
        byte[] header = header(CryptoRandom.bytes(60));
        byte[] committed = Arrays.copyOf(header, header.length + 32);
        secrets.writeLastField(header, CONTEXT_END, header.length, committed, header.length);
        byte[] flipped = committed.clone();
        flipped[flipped.length - 1] ^= 1;

        for (int check = 1; check <= 3; check++) {
          assertThat(secrets.lastFieldMatches(committed, CONTEXT_END, header.length))
              .as("%s, check %d", form, check)
              .isTrue();
          assertThat(secrets.lastFieldMatches(flipped, CONTEXT_END, header.length))
              .as("%s, check %d of a flipped commitment", form, check)
              .isFalse();
        }
      }
    }
  }

  @Test
  void derivingLeavesNoPseudorandomKeyInTheThreadsScratch() {
    for (KeyedHmac.Form form : KeyedHmac.Form.values()) {
      try (DataKeySecrets secrets =
          DataKeySecrets.derive(
              Format.SUITE_3, CryptoRandom.bytes(32), Engines.defaultEngine().primitives(), form)) {
        assertThat(DataKeySecrets.scratchPrk()).as("%s", form).containsOnly(0);
      }
    }
  }

  @Test
  void messageKeysWriteThePayloadKeyIntoALentArrayAndZeroItOnClose() {
    byte[] messageId = CryptoRandom.bytes(Format.MESSAGE_ID_LENGTH);
    byte[] lent = new byte[32];
    try (DataKeySecrets secrets =
        DataKeySecrets.derive(
            Format.SUITE_3,
            CryptoRandom.bytes(32),
            Engines.defaultEngine().primitives(),
            KeyedHmac.Form.HELD_PADS)) {
      byte[] expected = secrets.payloadKey(messageId);
      try (MessageKeys keys = MessageKeys.forMessage(secrets, messageId, 0, lent)) {
        assertThat(keys.payloadKey()).isSameAs(lent);
        assertThat(lent).isEqualTo(expected);
      }
      assertThat(lent).containsOnly(0);
      assertThat(secrets.payloadKey(messageId))
          .as("the secrets outlive the message's reference")
          .isEqualTo(expected);
    }
  }

  /** A header of {@value #CONTEXT_END} bytes of prefix and context, then {@code wrappedKeys}. */
  private static byte[] header(byte[] wrappedKeys) {
    byte[] header = new byte[CONTEXT_END + wrappedKeys.length];
    System.arraycopy(wrappedKeys, 0, header, CONTEXT_END, wrappedKeys.length);
    return header;
  }

  private static byte[] commitment(DataKeySecrets secrets, byte[] header) {
    byte[] out = new byte[32];
    secrets.writeLastField(header, CONTEXT_END, header.length, out, 0);
    return out;
  }

  /** docs/FORMAT.md, suite 3, with the JDK's HMAC. */
  private static byte[] expected(byte[] dataKey, byte[] header) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec("plugsky envelope v3".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
    byte[] prk = mac.doFinal(dataKey);
    mac.init(new SecretKeySpec(prk, "HmacSHA256"));
    mac.update("plugsky commit".getBytes(StandardCharsets.US_ASCII));
    mac.update(new byte[] {3, 3});
    mac.update(Arrays.copyOfRange(header, CONTEXT_END, header.length));
    mac.update((byte) 1);
    return mac.doFinal();
  }
}
