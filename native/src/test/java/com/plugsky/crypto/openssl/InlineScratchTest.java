package com.plugsky.crypto.openssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Calls whose AAD and data fit {@link GcmContext#INLINE_CAPACITY} run on a native scratch copy,
 * larger ones on the arrays themselves: both sides of the line must give the JDK's bytes, work in
 * place, and release nothing when a tag fails.
 */
class InlineScratchTest {
  private static final int LIMIT = GcmContext.INLINE_CAPACITY;

  @Test
  void bothSidesOfTheInlineLimitSealAsTheJdkDoesAndOpenInPlace() throws Exception {
    byte[] key = CryptoRandom.bytes(32);
    int checked = 0;
    try (InsecureNonceAead aead = Engines.named("native").newInsecureNonceAead(key)) {
      for (int aadLength : new int[] {0, 1, 37, LIMIT - 32, LIMIT}) {
        for (int total = LIMIT - 2; total <= LIMIT + 2; total++) {
          int length = total - aadLength;
          if (length < 0) {
            continue;
          }
          byte[] nonce = CryptoRandom.bytes(12);
          byte[] aad = CryptoRandom.bytes(aadLength);
          byte[] plaintext = CryptoRandom.bytes(length);
          byte[] sealed = new byte[5 + length + 16];
          aead.encrypt(nonce, plaintext, 0, length, aad, sealed, 5);
          assertThat(Arrays.copyOfRange(sealed, 5, sealed.length))
              .as("aad %d, data %d", aadLength, length)
              .isEqualTo(jdkSeal(key, nonce, aad, plaintext));

          aead.decrypt(nonce, sealed, 5, length + 16, aad, sealed, 5);
          assertThat(Arrays.copyOfRange(sealed, 5, 5 + length)).isEqualTo(plaintext);

          byte[] inPlace = Arrays.copyOf(plaintext, length + 16);
          aead.encrypt(nonce, inPlace, 0, length, aad, inPlace, 0);
          assertThat(inPlace).isEqualTo(jdkSeal(key, nonce, aad, plaintext));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(23);
  }

  @Test
  void aFailedTagOnEitherSideLeavesTheOutputZero() {
    try (InsecureNonceAead aead = Engines.named("native").newInsecureNonceAead(CryptoRandom.bytes(32))) {
      for (int length : new int[] {64, LIMIT + 64}) {
        byte[] nonce = CryptoRandom.bytes(12);
        byte[] sealed = new byte[length + 16];
        aead.encrypt(nonce, CryptoRandom.bytes(length), 0, length, new byte[0], sealed, 0);
        sealed[3] ^= 1;
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) 0x55);

        assertThatThrownBy(() -> aead.decrypt(nonce, sealed, 0, length + 16, new byte[0], out, 0))
            .isInstanceOf(AuthenticationFailedException.class);
        assertThat(out).as("%d bytes", length).containsOnly(0);
      }
    }
  }

  private static byte[] jdkSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext)
      throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
    cipher.updateAAD(aad);
    return cipher.doFinal(plaintext);
  }
}
