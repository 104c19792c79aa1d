package com.plugsky.crypto.engine.jca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.ByteBuffer;
import java.security.Provider;
import java.security.Security;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConscryptAeadTest {
  private static final Provider CONSCRYPT = org.conscrypt.Conscrypt.newProvider();

  private static JcaEngine engine(ConscryptAead.Calls calls) {
    return new JcaEngine("conscrypt", CONSCRYPT, null, null, null, true, calls);
  }

  @Test
  void theConscryptEngineTakesTheOneShotCallsOnTheClassPath() {
    assertThat(ConscryptAead.Calls.bind(CONSCRYPT).isAvailable()).isTrue();
    assertThat(Engines.named("conscrypt").toString()).contains("one-shot EVP_AEAD calls");
    try (Aead aead = Engines.named("conscrypt").newAead(CryptoRandom.bytes(32))) {
      assertThat(aead).isInstanceOf(ConscryptAead.class);
    }
  }

  @Test
  void withoutConscryptsCallsTheEngineSaysWhyAndKeepsItsCipher() {
    ConscryptAead.Calls none = ConscryptAead.Calls.bind(Security.getProvider("SunJCE"));

    assertThat(none.isAvailable()).isFalse();
    assertThat(none.unavailabilityCause()).isInstanceOf(ClassNotFoundException.class);
    JcaEngine fallback = engine(none);
    assertThat(fallback.toString()).contains("Cipher path: java.lang.ClassNotFoundException");
    try (Aead aead = fallback.newAead(CryptoRandom.bytes(32))) {
      assertThat(aead).isInstanceOf(JcaAead.class);
    }
  }

  @Test
  void oneShotCallsAndTheCipherSealTheSameBytesAndOpenEachOther() {
    JcaEngine oneShot = engine(ConscryptAead.Calls.bind(CONSCRYPT));
    JcaEngine cipher = engine(null);
    Random random = new Random(7);
    int compared = 0;
    for (int length = 0; length <= 300; length += 1 + random.nextInt(9)) {
      byte[] key = CryptoRandom.bytes(32);
      byte[] nonce = CryptoRandom.bytes(12);
      byte[] aad = CryptoRandom.bytes(random.nextInt(40));
      byte[] plaintext = CryptoRandom.bytes(length);
      int offset = random.nextInt(5);
      byte[] fromOneShot = new byte[offset + length + 16];
      byte[] fromCipher = new byte[offset + length + 16];
      try (InsecureNonceAead a = oneShot.newInsecureNonceAead(key);
          InsecureNonceAead b = cipher.newInsecureNonceAead(key)) {
        a.encrypt(nonce, plaintext, 0, length, aad, fromOneShot, offset);
        b.encrypt(nonce, plaintext, 0, length, aad, fromCipher, offset);
        assertThat(fromOneShot).as("length %d", length).isEqualTo(fromCipher);

        byte[] opened = new byte[length];
        a.decrypt(nonce, fromCipher, offset, length + 16, aad, opened, 0);
        assertThat(opened).isEqualTo(plaintext);
        b.decrypt(nonce, fromOneShot, offset, length + 16, aad, opened, 0);
        assertThat(opened).isEqualTo(plaintext);
      }
      compared++;
    }
    assertThat(compared).isGreaterThan(40);
  }

  @Test
  void heapBuffersTakeTheOneShotCallsAndDirectOnesTheCipher() {
    byte[] key = CryptoRandom.bytes(32);
    byte[] nonce = CryptoRandom.bytes(12);
    byte[] plaintext = CryptoRandom.bytes(100);
    byte[] aad = CryptoRandom.bytes(9);
    try (InsecureNonceAead aead = engine(ConscryptAead.Calls.bind(CONSCRYPT)).newInsecureNonceAead(key)) {
      ByteBuffer heap = ByteBuffer.allocate(3 + 116).position(3);
      aead.encrypt(nonce, ByteBuffer.wrap(plaintext), aad, heap);
      ByteBuffer direct = ByteBuffer.allocateDirect(116);
      aead.encrypt(nonce, ByteBuffer.wrap(plaintext), aad, direct);
      assertThat(heap.flip().position(3)).isEqualTo(direct.flip());

      ByteBuffer opened = ByteBuffer.allocateDirect(100);
      aead.decrypt(nonce, heap, aad, opened);
      assertThat(opened.flip()).isEqualTo(ByteBuffer.wrap(plaintext));
    }
  }

  @Test
  void aModifiedTagIsAnAuthenticationFailureWithNoPlaintextLeft() {
    byte[] key = CryptoRandom.bytes(32);
    byte[] nonce = CryptoRandom.bytes(12);
    byte[] plaintext = CryptoRandom.bytes(64);
    try (InsecureNonceAead aead = engine(ConscryptAead.Calls.bind(CONSCRYPT)).newInsecureNonceAead(key)) {
      byte[] sealed = new byte[80];
      aead.encrypt(nonce, plaintext, 0, 64, new byte[0], sealed, 0);
      sealed[79] ^= 1;
      byte[] out = new byte[64];

      assertThatThrownBy(() -> aead.decrypt(nonce, sealed, 0, 80, new byte[0], out, 0))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(out).containsOnly(0);
    }
  }
}
