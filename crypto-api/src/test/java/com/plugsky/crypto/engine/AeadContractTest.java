package com.plugsky.crypto.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Aead} contract, run against every engine that loaded, or only those named in the
 * system property {@code plugsky.test.engines} (comma-separated): engine modules run this class
 * from crypto-api's test jar against their own engine.
 */
public class AeadContractTest {
  private static final byte[] AAD = "tenant=acme".getBytes(StandardCharsets.UTF_8);

  static Stream<String> engines() {
    String only = System.getProperty("plugsky.test.engines", "");
    Stream<String> available = Engines.available().stream().map(AeadEngine::name);
    return only.isBlank() ? available : Stream.of(only.split(",")).map(String::strip);
  }

  private static Aead aead(String engine) {
    return Engines.named(engine).newAead(CryptoRandom.bytes(32));
  }

  @ParameterizedTest
  @MethodSource("engines")
  void roundTripsEverySizeAroundBlockBoundaries(String engine) {
    SplittableRandom random = new SplittableRandom(7);
    try (Aead aead = aead(engine)) {
      for (int size : new int[] {0, 1, 15, 16, 17, 63, 64, 255, 1024, 4097, 65536}) {
        byte[] plaintext = new byte[size];
        random.nextBytes(plaintext);
        byte[] sealed = aead.encrypt(plaintext, AAD);
        assertThat(sealed).hasSize(size + Aead.OVERHEAD);
        assertThat(aead.decrypt(sealed, AAD)).isEqualTo(plaintext);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void usesAFreshNonceEachTime(String engine) {
    try (Aead aead = aead(engine)) {
      Set<String> nonces = new HashSet<>();
      for (int i = 0; i < 1000; i++) {
        byte[] sealed = aead.encrypt(new byte[8], AAD);
        nonces.add(Arrays.toString(Arrays.copyOf(sealed, Aead.NONCE_LENGTH)));
      }
      assertThat(nonces).hasSize(1000);
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void arrayFormsHonourOffsets(String engine) {
    try (Aead aead = aead(engine)) {
      byte[] input = "xxxxhello offsetsyyyy".getBytes(StandardCharsets.US_ASCII);
      byte[] sealed = new byte[5 + 13 + Aead.OVERHEAD + 3];
      int written = aead.encrypt(input, 4, 13, AAD, sealed, 5);
      assertThat(written).isEqualTo(13 + Aead.OVERHEAD);
      byte[] opened = new byte[2 + 13];
      assertThat(aead.decrypt(sealed, 5, written, AAD, opened, 2)).isEqualTo(13);
      assertThat(new String(opened, 2, 13, StandardCharsets.US_ASCII)).isEqualTo("hello offsets");
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void encryptsAndDecryptsInPlaceInOneArray(String engine) {
    try (Aead aead = aead(engine)) {
      byte[] plaintext = CryptoRandom.bytes(1000);
      byte[] buffer = new byte[plaintext.length + Aead.OVERHEAD];
      System.arraycopy(plaintext, 0, buffer, Aead.NONCE_LENGTH, plaintext.length);
      aead.encrypt(buffer, Aead.NONCE_LENGTH, plaintext.length, AAD, buffer, 0);
      aead.decrypt(buffer, 0, buffer.length, AAD, buffer, Aead.NONCE_LENGTH);
      assertThat(Arrays.copyOfRange(buffer, Aead.NONCE_LENGTH, Aead.NONCE_LENGTH + plaintext.length))
          .isEqualTo(plaintext);

      // Overlapping at other offsets is allowed too; the input is copied first.
      byte[] shifted = new byte[plaintext.length + Aead.OVERHEAD + 8];
      System.arraycopy(plaintext, 0, shifted, 0, plaintext.length);
      aead.encrypt(shifted, 0, plaintext.length, AAD, shifted, 8);
      aead.decrypt(shifted, 8, plaintext.length + Aead.OVERHEAD, AAD, shifted, 0);
      assertThat(Arrays.copyOf(shifted, plaintext.length)).isEqualTo(plaintext);
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void byteBufferFormsWorkOnHeapAndDirectBuffers(String engine) {
    try (Aead aead = aead(engine)) {
      byte[] plaintext = CryptoRandom.bytes(5000);
      for (boolean direct : new boolean[] {false, true}) {
        ByteBuffer in = allocate(direct, plaintext.length).put(plaintext).flip();
        ByteBuffer sealed = allocate(direct, plaintext.length + Aead.OVERHEAD);
        assertThat(aead.encrypt(in, AAD, sealed)).isEqualTo(plaintext.length + Aead.OVERHEAD);
        assertThat(in.hasRemaining()).isFalse();
        sealed.flip();
        ByteBuffer opened = allocate(!direct, plaintext.length);
        assertThat(aead.decrypt(sealed, AAD, opened)).isEqualTo(plaintext.length);
        byte[] result = new byte[plaintext.length];
        opened.flip().get(result);
        assertThat(result).isEqualTo(plaintext);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void byteBufferFormsWorkInPlace(String engine) {
    try (Aead aead = aead(engine)) {
      byte[] plaintext = CryptoRandom.bytes(3000);
      ByteBuffer memory = ByteBuffer.allocateDirect(plaintext.length + Aead.OVERHEAD);
      memory.position(Aead.NONCE_LENGTH).put(plaintext);
      ByteBuffer in = memory.duplicate().position(Aead.NONCE_LENGTH).limit(Aead.NONCE_LENGTH + plaintext.length);
      aead.encrypt(in, AAD, memory.duplicate().clear());
      ByteBuffer out = memory.duplicate().clear().position(Aead.NONCE_LENGTH);
      aead.decrypt(memory.duplicate().clear(), AAD, out);
      byte[] result = new byte[plaintext.length];
      memory.duplicate().position(Aead.NONCE_LENGTH).get(result);
      assertThat(result).isEqualTo(plaintext);
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void byteBufferFormsCopeWithInputsOverlappingTheOutputElsewhere(String engine) {
    try (Aead aead = aead(engine)) {
      byte[] plaintext = CryptoRandom.bytes(2000);
      for (boolean direct : new boolean[] {false, true}) {
        for (boolean readOnly : new boolean[] {false, true}) {
          // Plaintext at the start of the memory, ciphertext written 5 bytes later: they overlap.
          ByteBuffer memory = allocate(direct, plaintext.length + Aead.OVERHEAD + 5);
          memory.put(plaintext);
          ByteBuffer in = memory.duplicate().position(0).limit(plaintext.length);
          aead.encrypt(readOnly ? in.asReadOnlyBuffer() : in, AAD, memory.duplicate().clear().position(5));
          byte[] sealed = new byte[plaintext.length + Aead.OVERHEAD];
          memory.duplicate().position(5).get(sealed);
          assertThat(aead.decrypt(sealed, AAD)).as("direct=%s readOnly=%s", direct, readOnly).isEqualTo(plaintext);

          // And back: ciphertext at offset 5 opened into offset 0 of the same memory.
          ByteBuffer ciphertext = memory.duplicate().position(5).limit(5 + sealed.length);
          aead.decrypt(readOnly ? ciphertext.asReadOnlyBuffer() : ciphertext, AAD, memory.duplicate().clear());
          byte[] opened = new byte[plaintext.length];
          memory.duplicate().position(0).get(opened);
          assertThat(opened).as("direct=%s readOnly=%s", direct, readOnly).isEqualTo(plaintext);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void rejectsAModifiedTagOrBodyAndReleasesNoPlaintext(String engine) {
    try (Aead aead = aead(engine)) {
      byte[] plaintext = CryptoRandom.bytes(100);
      byte[] sealed = aead.encrypt(plaintext, AAD);
      for (int position : new int[] {0, Aead.NONCE_LENGTH, sealed.length - 1}) {
        byte[] forged = sealed.clone();
        forged[position] ^= 0x01;
        byte[] output = new byte[plaintext.length];
        Arrays.fill(output, (byte) 0x55);
        assertThatThrownBy(() -> aead.decrypt(forged, 0, forged.length, AAD, output, 0))
            .isInstanceOf(AuthenticationFailedException.class)
            .hasMessageContaining("tag mismatch");
        assertThat(output).containsOnly(0);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void rejectsADifferentAssociatedDataOrKey(String engine) {
    try (Aead aead = aead(engine); Aead other = aead(engine)) {
      byte[] sealed = aead.encrypt(new byte[32], AAD);
      assertThatThrownBy(() -> aead.decrypt(sealed, "tenant=other".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> other.decrypt(sealed, AAD)).isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void rejectsDirectBufferForgeriesAndZeroesTheOutput(String engine) {
    try (Aead aead = aead(engine)) {
      byte[] sealed = aead.encrypt(CryptoRandom.bytes(64), AAD);
      sealed[sealed.length - 3] ^= 0x40;
      ByteBuffer in = ByteBuffer.allocateDirect(sealed.length).put(sealed).flip();
      ByteBuffer out = ByteBuffer.allocateDirect(64);
      assertThatThrownBy(() -> aead.decrypt(in, AAD, out)).isInstanceOf(AuthenticationFailedException.class);
      assertThat(out.position()).isZero();
      assertThat(in.position()).isZero();
      for (int i = 0; i < 64; i++) {
        assertThat(out.get(i)).isZero();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void rejectsTruncatedCiphertexts(String engine) {
    try (Aead aead = aead(engine)) {
      byte[] sealed = aead.encrypt(new byte[10], AAD);
      assertThatThrownBy(() -> aead.decrypt(Arrays.copyOf(sealed, Aead.OVERHEAD - 1), AAD))
          .isInstanceOf(MalformedCiphertextException.class)
          .hasMessageContaining("shorter than the 28 bytes");
      assertThatThrownBy(() -> aead.decrypt(Arrays.copyOf(sealed, sealed.length - 1), AAD))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> aead.decrypt(ByteBuffer.allocate(5), AAD, ByteBuffer.allocate(5)))
          .isInstanceOf(MalformedCiphertextException.class);
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void rejectsWrongKeySizesAndBadRanges(String engine) {
    AeadEngine aeadEngine = Engines.named(engine);
    for (int size : new int[] {0, 16, 24, 31, 33, 64}) {
      assertThatThrownBy(() -> aeadEngine.newAead(new byte[size]))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("AES-256-GCM needs a 32-byte key, got " + size + " bytes");
    }
    try (Aead aead = aead(engine)) {
      assertThatThrownBy(() -> aead.encrypt(new byte[10], 5, 10, AAD, new byte[100], 0))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("input range");
      assertThatThrownBy(() -> aead.encrypt(new byte[10], 0, 10, AAD, new byte[37], 0))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("output range");
      assertThatThrownBy(() -> aead.encrypt(ByteBuffer.allocate(10), AAD, ByteBuffer.allocate(37)))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("needs 38");
      assertThatThrownBy(() -> aead.encrypt(ByteBuffer.allocate(1), AAD, ByteBuffer.allocate(40).asReadOnlyBuffer()))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("read-only");
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void aClosedAeadRefusesWork(String engine) {
    Aead aead = aead(engine);
    byte[] sealed = aead.encrypt(new byte[1], AAD);
    aead.close();
    aead.close();
    assertThatThrownBy(() -> aead.decrypt(sealed, AAD))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(aead.toString()).contains("closed").contains(engine);
  }

  @ParameterizedTest
  @MethodSource("engines")
  void isSafeToShareBetweenThreads(String engine) throws Exception {
    try (Aead aead = aead(engine)) {
      var failures = new java.util.concurrent.atomic.AtomicInteger();
      Thread[] threads = new Thread[4];
      for (int t = 0; t < threads.length; t++) {
        threads[t] = Thread.ofPlatform().start(() -> {
          for (int i = 0; i < 500; i++) {
            byte[] plaintext = CryptoRandom.bytes(i % 300);
            if (!Arrays.equals(aead.decrypt(aead.encrypt(plaintext, AAD), AAD), plaintext)) {
              failures.incrementAndGet();
            }
          }
        });
      }
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(failures).hasValue(0);
    }
  }

  @ParameterizedTest
  @MethodSource("engines")
  void theCallerNonceViewIsPlainGcmAndStillRejectsForgeries(String engine) {
    byte[] key = CryptoRandom.bytes(32);
    byte[] nonce = CryptoRandom.bytes(Aead.NONCE_LENGTH);
    byte[] plaintext = CryptoRandom.bytes(1000);
    byte[] expected = Engines.named("jdk").insecureRawGcm().encrypt(key, nonce, AAD, plaintext, 128);
    try (InsecureNonceAead view = Engines.named(engine).newInsecureNonceAead(key)) {
      byte[] sealed = new byte[plaintext.length + Aead.TAG_LENGTH];
      assertThat(view.encrypt(nonce, plaintext, 0, plaintext.length, AAD, sealed, 0)).isEqualTo(sealed.length);
      assertThat(sealed).isEqualTo(expected);

      // JCA providers refuse a second encryption under the same (key, nonce), so the buffer form
      // gets a nonce of its own.
      byte[] bufferNonce = CryptoRandom.bytes(Aead.NONCE_LENGTH);
      ByteBuffer sealedBuffer = ByteBuffer.allocateDirect(sealed.length);
      view.encrypt(bufferNonce, ByteBuffer.allocateDirect(plaintext.length).put(plaintext).flip(), AAD, sealedBuffer);
      byte[] fromBuffer = new byte[sealed.length];
      sealedBuffer.flip().get(fromBuffer);
      assertThat(fromBuffer).isEqualTo(Engines.named("jdk").insecureRawGcm().encrypt(key, bufferNonce, AAD, plaintext, 128));

      byte[] inPlace = sealed.clone();
      assertThat(view.decrypt(nonce, inPlace, 0, inPlace.length, AAD, inPlace, 0)).isEqualTo(plaintext.length);
      assertThat(Arrays.copyOf(inPlace, plaintext.length)).isEqualTo(plaintext);

      byte[] otherNonce = nonce.clone();
      otherNonce[11] ^= 1;
      byte[] output = new byte[plaintext.length];
      assertThatThrownBy(() -> view.decrypt(otherNonce, sealed, 0, sealed.length, AAD, output, 0))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(output).containsOnly(0);
      assertThatThrownBy(() -> view.encrypt(new byte[8], plaintext, 0, 1, AAD, new byte[17], 0))
          .isInstanceOf(InvalidInputException.class)
          .hasMessage("AES-GCM nonce must be 12 bytes, got 8");
    }
  }

  private static ByteBuffer allocate(boolean direct, int capacity) {
    return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
  }
}
