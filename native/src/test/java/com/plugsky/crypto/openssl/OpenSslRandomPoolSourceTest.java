package com.plugsky.crypto.openssl;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class OpenSslRandomPoolSourceTest {
  private final OpenSslRandomPoolSource source = new OpenSslRandomPoolSource();

  @Test
  void cryptoRandomRefillsItsPoolsFromLibcrypto() {
    assertThat(CryptoRandom.poolSource()).startsWith("libcrypto's DRBG (OpenSSL");
  }

  /**
   * Each fill covers the whole array with bits near half ones (the monobit test of NIST SP 800-22
   * at 8 Mbit: 5 standard deviations is 0.09%), and no two fills are alike.
   */
  @Test
  void bothDrbgsFillWholeArraysWithBalancedBitsThatNeverRepeat() {
    for (boolean secret : new boolean[] {false, true}) {
      byte[] first = new byte[1 << 20];
      byte[] second = new byte[1 << 20];
      assertThat(secret ? source.nextPrivateBytes(first) : source.nextPublicBytes(first)).isTrue();
      assertThat(secret ? source.nextPrivateBytes(second) : source.nextPublicBytes(second)).isTrue();
      long ones = 0;
      for (byte b : first) {
        ones += Integer.bitCount(b & 0xff);
      }
      double share = ones / (8.0 * first.length);
      assertThat(share).as("secret %s", secret).isBetween(0.4991, 0.5009);
      assertThat(first).isNotEqualTo(second);
      assertThat(ByteBuffer.wrap(first, first.length - 64, 64))
          .as("the last bytes are filled too")
          .isNotEqualTo(ByteBuffer.wrap(new byte[64]));
    }
  }

  @Test
  void pooledNoncesAndKeysNeverRepeatAcrossRefillsAndThreads() throws InterruptedException {
    Set<ByteBuffer> nonces = ConcurrentHashMap.newKeySet();
    Set<ByteBuffer> keys = ConcurrentHashMap.newKeySet();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 10_000; i++) {
                      byte[] nonce = new byte[12];
                      CryptoRandom.nextNonce(nonce);
                      nonces.add(ByteBuffer.wrap(nonce));
                      byte[] key = new byte[32];
                      CryptoRandom.nextKey(key);
                      keys.add(ByteBuffer.wrap(key));
                    }
                  });
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(nonces).hasSize(40_000);
    assertThat(keys).hasSize(40_000);
  }
}
