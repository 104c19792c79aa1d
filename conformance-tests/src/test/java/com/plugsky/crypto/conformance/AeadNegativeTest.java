package com.plugsky.crypto.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden negative checks on the {@link Aead} of every available engine: each forgery or misuse
 * must end in the library's typed exception, never in plaintext or an engine-specific error.
 */
class AeadNegativeTest {
  private static final byte[] KEY = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  private static final byte[] AAD = "tenant=acme;purpose=negative-test".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PLAINTEXT = "forty-two bytes of plaintext for the tests".getBytes(StandardCharsets.US_ASCII);

  static Stream<String> engines() {
    return Engines.available().stream().map(AeadEngine::name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void wrongTagFailsAuthenticationAndReleasesNoPlaintext(String engine) {
    try (Aead aead = Engines.named(engine).newAead(KEY)) {
      byte[] sealed = aead.encrypt(PLAINTEXT, AAD);
      for (int tagByte = sealed.length - Aead.TAG_LENGTH; tagByte < sealed.length; tagByte++) {
        byte[] forged = sealed.clone();
        forged[tagByte] ^= 0x01;
        assertThatThrownBy(() -> aead.decrypt(forged, AAD)).isInstanceOf(AuthenticationFailedException.class);
      }
      byte[] forged = sealed.clone();
      forged[forged.length - 1] ^= (byte) 0x80;

      byte[] output = new byte[PLAINTEXT.length];
      Arrays.fill(output, (byte) 0x55);
      assertThatThrownBy(() -> aead.decrypt(forged, 0, forged.length, AAD, output, 0))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(output).as("output region after a failed tag").containsOnly(0);

      for (ByteBuffer in : new ByteBuffer[] {ByteBuffer.wrap(forged), direct(forged)}) {
        ByteBuffer out = ByteBuffer.allocateDirect(PLAINTEXT.length);
        assertThatThrownBy(() -> aead.decrypt(in, AAD, out)).isInstanceOf(AuthenticationFailedException.class);
        assertThat(in.position()).as("ciphertext position after a failed tag").isZero();
        assertThat(out.position()).as("output position after a failed tag").isZero();
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void wrongKeyOrAssociatedDataFailsAuthentication(String engine) {
    byte[] otherKey = KEY.clone();
    otherKey[0] ^= 1;
    byte[] otherAad = AAD.clone();
    otherAad[otherAad.length - 1] ^= 1;
    try (Aead aead = Engines.named(engine).newAead(KEY); Aead other = Engines.named(engine).newAead(otherKey)) {
      byte[] sealed = aead.encrypt(PLAINTEXT, AAD);
      assertThat(aead.decrypt(sealed, AAD)).isEqualTo(PLAINTEXT);
      assertThatThrownBy(() -> other.decrypt(sealed, AAD)).isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> aead.decrypt(sealed, otherAad)).isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> aead.decrypt(sealed, new byte[0])).isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void truncatedCiphertextIsRejected(String engine) {
    try (Aead aead = Engines.named(engine).newAead(KEY)) {
      byte[] sealed = aead.encrypt(PLAINTEXT, AAD);
      // Still long enough to hold a nonce and a tag: the tag check catches the lost bytes.
      for (int cut : new int[] {1, Aead.TAG_LENGTH, PLAINTEXT.length}) {
        byte[] truncated = Arrays.copyOf(sealed, sealed.length - cut);
        assertThatThrownBy(() -> aead.decrypt(truncated, AAD)).as("cut %d bytes", cut).isInstanceOf(AuthenticationFailedException.class);
      }
      // Too short to be a message at all: malformed, before any cryptography.
      for (int length : new int[] {0, 1, Aead.NONCE_LENGTH, Aead.OVERHEAD - 1}) {
        byte[] truncated = Arrays.copyOf(sealed, length);
        assertThatThrownBy(() -> aead.decrypt(truncated, AAD)).as("%d bytes", length).isInstanceOf(MalformedCiphertextException.class);
        assertThatThrownBy(() -> aead.decrypt(ByteBuffer.wrap(truncated), AAD, ByteBuffer.allocate(64)))
            .as("%d bytes in a buffer", length)
            .isInstanceOf(MalformedCiphertextException.class);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void wrongKeySizeIsRejected(String engine) {
    AeadEngine e = Engines.named(engine);
    for (int size : new int[] {0, 1, 16, 24, 31, 33, 64}) {
      byte[] key = Arrays.copyOf(KEY, size);
      assertThatThrownBy(() -> e.newAead(key))
          .as("%d-byte key", size)
          .isInstanceOf(InvalidInputException.class)
          .isNotInstanceOf(MalformedCiphertextException.class);
    }
  }

  private static ByteBuffer direct(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
    buffer.put(bytes).flip();
    return buffer;
  }

  private static byte[] hex(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }
}
