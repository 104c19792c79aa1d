package com.plugsky.crypto.openssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Contexts re-keyed for each new key: no key leaks into another Aead, thread or call. */
class FreshKeyContextsTest {
  private static final byte[] AAD = CryptoRandom.bytes(37);

  private final AeadEngine nativeEngine = Engines.named("native");
  private final AeadEngine jdk = Engines.named("jdk");

  @Test
  void freshKeysOnManyThreadsEachSealExactlyAsTheJdkDoes() throws Exception {
    int threads = 4;
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          int matched = 0;
          for (int i = 0; i < 2_000; i++) {
            byte[] key = CryptoRandom.bytes(Aead.KEY_LENGTH);
            byte[] nonce = CryptoRandom.bytes(Aead.NONCE_LENGTH);
            byte[] plaintext = CryptoRandom.bytes(i % 300);
            byte[] ours = seal(nativeEngine, key, nonce, plaintext);
            if (Arrays.equals(ours, seal(jdk, key, nonce, plaintext))
                && Arrays.equals(open(nativeEngine, key, nonce, ours), plaintext)) {
              matched++;
            }
          }
          return matched;
        }));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get()).isEqualTo(2_000);
      }
    }
  }

  @Test
  void overlappingCallsOnOneKeyGetContextsKeyedWithThatKey() throws Exception {
    int threads = 4;
    byte[] key = CryptoRandom.bytes(Aead.KEY_LENGTH);
    byte[] nonce = CryptoRandom.bytes(Aead.NONCE_LENGTH);
    byte[] plaintext = CryptoRandom.bytes(4096);
    byte[] expected = seal(jdk, key, nonce, plaintext);
    CyclicBarrier start = new CyclicBarrier(threads);
    try (InsecureNonceAead aead = nativeEngine.newInsecureNonceAead(key);
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          start.await();
          int matched = 0;
          byte[] out = new byte[plaintext.length + 16];
          for (int i = 0; i < 2_000; i++) {
            aead.encrypt(nonce, plaintext, 0, plaintext.length, AAD, out, 0);
            if (Arrays.equals(out, expected)) {
              matched++;
            }
          }
          return matched;
        }));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get()).isEqualTo(2_000);
      }
    }
  }

  @Test
  void aWrongKeyFailsOnTheContextTheRightKeyJustLeft() {
    byte[] right = CryptoRandom.bytes(Aead.KEY_LENGTH);
    byte[] wrong = CryptoRandom.bytes(Aead.KEY_LENGTH);
    byte[] nonce = CryptoRandom.bytes(Aead.NONCE_LENGTH);
    byte[] plaintext = CryptoRandom.bytes(1024);
    byte[] sealed = seal(nativeEngine, right, nonce, plaintext);
    byte[] out = new byte[plaintext.length];
    try (InsecureNonceAead aead = nativeEngine.newInsecureNonceAead(wrong)) {
      assertThatThrownBy(() -> aead.decrypt(nonce, sealed, 0, sealed.length, AAD, out, 0))
          .isInstanceOf(AuthenticationFailedException.class);
    }
    assertThat(out).containsOnly(0);
    assertThat(open(nativeEngine, right, nonce, sealed)).isEqualTo(plaintext);
  }

  @Test
  void closingWipesTheKeyFromTheContextsThatAreKeptForTheNextKey() {
    try (Aead aead = nativeEngine.newAead(filled(0x5a))) {
      aead.encrypt(CryptoRandom.bytes(64), AAD);
    }
    LibCrypto lib = LibCrypto.loaded();
    GcmContext spare = GcmContext.take(lib, lib.cipher("AES-256-GCM", "EVP_aes_256_gcm"));
    try {
      assertThat(spare.keySlot().toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
    } finally {
      spare.recycle();
    }
  }

  @Test
  void anAeadDroppedWithoutClosingHasItsKeyWipedOnceItIsCollected() throws InterruptedException {
    MemorySegment keySlot = keySlotOfAnAeadNobodyCloses(filled(0x6b));
    assertThat(keySlot.toArray(ValueLayout.JAVA_BYTE)).containsOnly(0x6b);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!isZero(keySlot) && System.nanoTime() < deadline) {
      System.gc();
      Thread.sleep(20);
    }

    assertThat(keySlot.toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
  }

  /** In a method of its own, so that nothing on the test's frame keeps the Aead reachable. */
  private MemorySegment keySlotOfAnAeadNobodyCloses(byte[] key) {
    Aead aead = nativeEngine.newAead(key);
    aead.encrypt(CryptoRandom.bytes(64), AAD);
    return ((OpenSslAead) aead).homeKeySlot();
  }

  private static boolean isZero(MemorySegment segment) {
    for (byte b : segment.toArray(ValueLayout.JAVA_BYTE)) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void aRecycledContextHoldsNoKeyAndRefusesToSealUntilGivenOne() {
    LibCrypto lib = LibCrypto.loaded();
    GcmContext context = GcmContext.take(lib, lib.cipher("AES-256-GCM", "EVP_aes_256_gcm"));
    byte[] key = filled(0x5a);
    byte[] nonce = CryptoRandom.bytes(Aead.NONCE_LENGTH);
    byte[] plaintext = CryptoRandom.bytes(16);
    MemorySegment out = MemorySegment.ofArray(new byte[32]);
    context.setKey(key);
    assertThat(context.keySlot().toArray(ValueLayout.JAVA_BYTE)).containsOnly(0x5a);
    context.seal(nonce, AAD, MemorySegment.ofArray(plaintext), out.asSlice(0, 16), out.asSlice(16, 16));
    assertThat(out.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(seal(jdk, key, nonce, plaintext));

    context.recycle();

    assertThat(context.keySlot().toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
    assertThatThrownBy(() -> context.seal(nonce, AAD, MemorySegment.ofArray(plaintext), out.asSlice(0, 16), out.asSlice(16, 16)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without a key");
  }

  private static byte[] filled(int value) {
    byte[] key = new byte[Aead.KEY_LENGTH];
    Arrays.fill(key, (byte) value);
    return key;
  }

  private static byte[] seal(AeadEngine engine, byte[] key, byte[] nonce, byte[] plaintext) {
    byte[] out = new byte[plaintext.length + 16];
    try (InsecureNonceAead aead = engine.newInsecureNonceAead(key)) {
      aead.encrypt(nonce, plaintext, 0, plaintext.length, AAD, out, 0);
    }
    return out;
  }

  private static byte[] open(AeadEngine engine, byte[] key, byte[] nonce, byte[] sealed) {
    byte[] out = new byte[sealed.length - 16];
    try (InsecureNonceAead aead = engine.newInsecureNonceAead(key)) {
      aead.decrypt(nonce, sealed, 0, sealed.length, AAD, out, 0);
    }
    return out;
  }
}
