package com.plugsky.crypto.pkcs11.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ffm backend's calls run in each session's scratch memory (a fixed block, with an overflow
 * arena for what does not fit): inputs and outputs of every size round-trip and match the JDK,
 * whether they fit, fill or pass the block, in any order and from several threads at once.
 */
class SessionMemoryIT {
  private static final int[] SIZES = {
    0, 1, 1024, 7000, (int) Scratch.DEFAULT_BYTES, 3 * (int) Scratch.DEFAULT_BYTES, 5, 1 << 20, 33
  };

  private static final byte[] AES_KEY = CryptoRandom.bytes(32);
  private static FfmHsm hsm;
  private static HsmKey aes;
  private static HsmKey ec;

  @BeforeAll
  static void open() {
    hsm =
        FfmHsm.open(
            SoftHsm.get()
                .config(SoftHsm.TOKEN)
                .maxSessions(2)
                .borrowTimeout(Duration.ofMillis(200))
                .build());
    String run = UUID.randomUUID().toString();
    aes = HsmKey.label("memory-aes-" + run);
    ec = HsmKey.label("memory-ec-" + run);
    hsm.importAesKey(aes, AES_KEY);
    hsm.generateKeyPair(ec, KeyPairType.EC_P256);
  }

  @AfterAll
  static void close() {
    hsm.destroyKey(aes);
    hsm.destroyKey(ec);
    hsm.close();
  }

  @Test
  void aesGcmOfEverySizeAroundTheScratchBlockMatchesTheJdk() throws Exception {
    for (int size : SIZES) {
      byte[] iv = CryptoRandom.bytes(12);
      byte[] aad = CryptoRandom.bytes(size % 3 == 0 ? 0 : 40);
      byte[] plaintext = CryptoRandom.bytes(size);

      byte[] sealed = hsm.encryptAesGcm(aes, iv, plaintext, aad);

      assertThat(sealed).as("%d bytes", size).isEqualTo(jdkSeal(iv, plaintext, aad));
      assertThat(hsm.decryptAesGcm(aes, iv, sealed, aad)).isEqualTo(plaintext);
    }
  }

  @Test
  void randomPastTheScratchBlockIsFilledByTheToken() {
    byte[] large = hsm.random(1 << 20);
    byte[] small = hsm.random(32);

    assertThat(large).hasSize(1 << 20);
    assertThat(large).isNotEqualTo(new byte[1 << 20]);
    assertThat(small).isNotEqualTo(new byte[32]);
  }

  @Test
  void callsOfMixedSizesFromFourThreadsOnTwoSessionsStayCorrect() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        work.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 30; i++) {
                    int size = SIZES[(i + offset) % SIZES.length] % (64 * 1024);
                    byte[] iv = CryptoRandom.bytes(12);
                    byte[] plaintext = CryptoRandom.bytes(size);
                    byte[] sealed = hsm.encryptAesGcm(aes, iv, plaintext, new byte[0]);
                    assertThat(sealed).isEqualTo(jdkSeal(iv, plaintext, new byte[0]));
                    byte[] data = CryptoRandom.bytes(size);
                    byte[] signature = hsm.sign(ec, SignatureAlgorithm.ECDSA_SHA256, data);
                    assertThat(hsm.verify(ec, SignatureAlgorithm.ECDSA_SHA256, data, signature))
                        .isTrue();
                    byte[] secret = CryptoRandom.bytes(8 * (1 + i % 8));
                    assertThat(hsm.unwrapKeyPad(aes, hsm.wrapKeyPad(aes, secret)))
                        .isEqualTo(secret);
                  }
                  return null;
                }));
      }
      for (Future<?> done : work) {
        done.get();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aHeldSessionServesItsThreadAndGoesBackToThePool() throws Exception {
    ExecutorService other = Executors.newFixedThreadPool(2);
    try {
      byte[] iv = CryptoRandom.bytes(12);
      byte[] plaintext = CryptoRandom.bytes(1024);
      try (FfmHsm.HeldSession first = hsm.holdSession()) {
        // The other thread holds the second session, so the pool has none left to lend.
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Future<?> holder =
            other.submit(
                () -> {
                  try (FfmHsm.HeldSession second = hsm.holdSession()) {
                    holding.countDown();
                    release.await();
                  }
                  return null;
                });
        holding.await();
        assertThat(hsm.encryptAesGcm(aes, iv, plaintext, new byte[0]))
            .isEqualTo(jdkSeal(iv, plaintext, new byte[0]));
        assertThatThrownBy(() -> other.submit(() -> hsm.random(16)).get())
            .hasCauseInstanceOf(KeyUnavailableException.class);
        release.countDown();
        holder.get();
      }
      assertThat(other.submit(() -> hsm.random(16)).get()).hasSize(16);
    } finally {
      other.shutdownNow();
    }
  }

  private static byte[] jdkSeal(byte[] iv, byte[] plaintext, byte[] aad) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(
        Cipher.ENCRYPT_MODE, new SecretKeySpec(AES_KEY, "AES"), new GCMParameterSpec(128, iv));
    cipher.updateAAD(aad);
    return cipher.doFinal(plaintext);
  }
}
