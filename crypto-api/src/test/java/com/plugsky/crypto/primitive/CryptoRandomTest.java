package com.plugsky.crypto.primitive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class CryptoRandomTest {

  @Test
  void withNoPoolSourceOnTheClassPathTheJdkDrbgRefillsThePools() {
    assertThat(CryptoRandom.poolSource()).isEqualTo("the JDK's DRBG");
  }

  @Test
  void pooledNoncesNeverRepeatAcrossPoolRefillsAndThreads() throws InterruptedException {
    Set<ByteBuffer> seen = ConcurrentHashMap.newKeySet();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 10_000; i++) {
          byte[] nonce = new byte[12];
          CryptoRandom.nextNonce(nonce);
          seen.add(ByteBuffer.wrap(nonce));
        }
      });
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(seen).hasSize(40_000);
  }

  @Test
  void virtualThreadsShareDrbgsYetNeverRepeatANonce() throws InterruptedException {
    Set<ByteBuffer> seen = ConcurrentHashMap.newKeySet();
    try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int t = 0; t < 2_000; t++) {
        executor.submit(() -> {
          for (int i = 0; i < 20; i++) {
            byte[] nonce = new byte[12];
            CryptoRandom.nextNonce(nonce);
            seen.add(ByteBuffer.wrap(nonce));
          }
          CryptoRandom.bytes(32);
        });
      }
    }
    assertThat(seen).hasSize(40_000);
  }

  @Test
  void pooledKeysNeverRepeatAcrossPoolRefillsAndThreads() throws InterruptedException {
    Set<ByteBuffer> seen = ConcurrentHashMap.newKeySet();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] = Thread.ofPlatform().start(() -> {
        for (int i = 0; i < 5_000; i++) {
          byte[] key = new byte[i % 2 == 0 ? 32 : 16];
          CryptoRandom.nextKey(key);
          seen.add(ByteBuffer.wrap(key));
        }
      });
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(seen).hasSize(20_000);
  }

  @Test
  void keysAreNotNoncesAndLargeKeyRequestsAreServedDirectly() {
    Set<ByteBuffer> seen = new java.util.HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      byte[] key = new byte[32];
      byte[] nonce = new byte[32];
      CryptoRandom.nextKey(key);
      CryptoRandom.nextNonce(nonce);
      assertThat(seen.add(ByteBuffer.wrap(key))).isTrue();
      assertThat(seen.add(ByteBuffer.wrap(nonce))).isTrue();
    }
    byte[] big = new byte[10_000];
    CryptoRandom.nextKey(big);
    long zeros = 0;
    for (byte b : big) {
      zeros += b == 0 ? 1 : 0;
    }
    assertThat(zeros).isLessThan(200);
  }

  @Test
  void nonceRequestsLargerThanThePoolAreServedDirectly() {
    byte[] big = new byte[10_000];
    CryptoRandom.nextNonce(big);
    long zeros = 0;
    for (byte b : big) {
      zeros += b == 0 ? 1 : 0;
    }
    assertThat(zeros).isLessThan(200);
  }

  @Test
  void oddSizesWalkThePoolBoundaryWithoutReuse() {
    Set<ByteBuffer> seen = new java.util.HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      byte[] nonce = new byte[7 + i % 13];
      CryptoRandom.nextNonce(nonce);
      assertThat(seen.add(ByteBuffer.wrap(nonce))).isTrue();
    }
  }
}
