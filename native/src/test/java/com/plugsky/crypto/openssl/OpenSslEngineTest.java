package com.plugsky.crypto.openssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.EngineStatus;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.engine.KnownAnswerTest;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OpenSslEngineTest {

  @AfterEach
  void restoreLibraryChoice() {
    System.clearProperty(LibCrypto.LIBRARY_PROPERTY);
  }

  @Test
  void loadsTheSystemLibcryptoAndPassesItsSelfTest() {
    assertThat(Engines.status())
        .filteredOn(status -> status.name().equals("native"))
        .singleElement()
        .satisfies(status -> assertThat(status.isAvailable()).as(status.describe()).isTrue());
    AeadEngine engine = Engines.named("native");
    assertThat(((OpenSslEngine) engine).libraryVersion()).startsWith("OpenSSL 3.");
    KnownAnswerTest.run(engine);
  }

  @Test
  void messagesLongerThanOneUpdateAgreeWithTheJdkEngine() {
    // Past GcmContext.UPDATE_CHUNK, and not a whole number of blocks, so the pieces' seams count.
    int length = 2 * GcmContext.UPDATE_CHUNK + 13;
    byte[] key = CryptoRandom.bytes(32);
    byte[] plaintext = CryptoRandom.bytes(length);
    byte[] aad = {1, 2, 3};
    try (Aead nativeAead = Engines.named("native").newAead(key);
        Aead jdk = Engines.named("jdk").newAead(key)) {
      assertThat(jdk.decrypt(nativeAead.encrypt(plaintext, aad), aad)).isEqualTo(plaintext);
      assertThat(nativeAead.decrypt(jdk.encrypt(plaintext, aad), aad)).isEqualTo(plaintext);

      ByteBuffer in = ByteBuffer.allocateDirect(length).put(plaintext).flip();
      ByteBuffer sealed = ByteBuffer.allocateDirect(length + Aead.OVERHEAD);
      nativeAead.encrypt(in, aad, sealed);
      byte[] sealedBytes = new byte[sealed.flip().remaining()];
      sealed.get(sealedBytes);
      assertThat(jdk.decrypt(sealedBytes, aad)).isEqualTo(plaintext);
      ByteBuffer opened = ByteBuffer.allocateDirect(length);
      nativeAead.decrypt(ByteBuffer.wrap(jdk.encrypt(plaintext, aad)), aad, opened);
      byte[] openedBytes = new byte[opened.flip().remaining()];
      opened.get(openedBytes);
      assertThat(openedBytes).isEqualTo(plaintext);
    }
  }

  @Test
  void aMissingLibraryMakesTheEngineUnavailableWithTheReason() {
    System.setProperty(LibCrypto.LIBRARY_PROPERTY, "/nonexistent/libcrypto.so.3");
    assertThatThrownBy(LibCrypto::load)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("libcrypto not found: /nonexistent/libcrypto.so.3: no such readable file");
  }

  @Test
  void aLibraryThatIsNotLibcryptoIsRefused() throws Exception {
    Path libz = List.of(Path.of("/lib/x86_64-linux-gnu/libz.so.1"), Path.of("/usr/lib/x86_64-linux-gnu/libz.so.1"))
        .stream().filter(Files::exists).findFirst().orElseThrow();
    System.setProperty(LibCrypto.LIBRARY_PROPERTY, libz.toString());
    assertThatThrownBy(LibCrypto::load)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not export OpenSSL_version_num (is it libcrypto?)");
  }

  @Test
  void versionsOlderThanOpenSsl3AreRefusedButForksAreAccepted() {
    assertThatThrownBy(() -> LibCrypto.checkVersion(0x1010117fL, "OpenSSL 1.1.1w  11 Sep 2023"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs OpenSSL 3.0 or newer");
    LibCrypto.checkVersion(0x30000130L, "OpenSSL 3.0.19 27 Jan 2026");
    LibCrypto.checkVersion(0x1010107fL, "OpenSSL 1.1.1 (compatible; BoringSSL)");
    LibCrypto.checkVersion(0x1010107fL, "AWS-LC 1.40.0");
  }

  @Test
  void everyNonceIsUniqueAcrossManyThreadsOnOneKey() throws Exception {
    int threads = 8;
    int perThread = 5_000;
    Set<ByteBuffer> nonces = ConcurrentHashMap.newKeySet();
    try (Aead aead = Engines.named("native").newAead(CryptoRandom.bytes(32));
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          int roundTrips = 0;
          byte[] plaintext = CryptoRandom.bytes(100);
          for (int i = 0; i < perThread; i++) {
            byte[] sealed = aead.encrypt(plaintext, new byte[0]);
            nonces.add(ByteBuffer.wrap(sealed, 0, Aead.NONCE_LENGTH).slice());
            if (java.util.Arrays.equals(aead.decrypt(sealed, new byte[0]), plaintext)) {
              roundTrips++;
            }
          }
          return roundTrips;
        }));
      }
      int total = 0;
      for (Future<Integer> result : results) {
        total += result.get();
      }
      assertThat(total).isEqualTo(threads * perThread);
    }
    assertThat(nonces).hasSize(threads * perThread);
  }

  @Test
  void closingWhileOtherThreadsWorkNeverCrashesAndLaterCallsFailCleanly() throws Exception {
    Aead aead = Engines.named("native").newAead(CryptoRandom.bytes(32));
    Set<String> outcomes = new HashSet<>();
    Thread[] workers = new Thread[4];
    for (int t = 0; t < workers.length; t++) {
      workers[t] = Thread.ofPlatform().start(() -> {
        try {
          for (int i = 0; i < 200_000; i++) {
            aead.encrypt(new byte[64], new byte[0]);
          }
        } catch (IllegalStateException closed) {
          synchronized (outcomes) {
            outcomes.add(closed.getMessage());
          }
        }
      });
    }
    Thread.sleep(50);
    aead.close();
    for (Thread worker : workers) {
      worker.join();
    }
    assertThat(outcomes).isNotEmpty().allSatisfy(message -> assertThat(message).contains("closed"));
    assertThatThrownBy(() -> aead.encrypt(new byte[1], new byte[0])).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void directBuffersOverArenaMemoryWorkWhileOpenAndAreRefusedOnceClosed() {
    AeadEngine engine = Engines.named("native");
    byte[] plaintext = CryptoRandom.bytes(100);
    try (Aead aead = engine.newAead(CryptoRandom.bytes(Aead.KEY_LENGTH))) {
      ByteBuffer in;
      ByteBuffer out;
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment memory = arena.allocate(512);
        in = memory.asSlice(0, 128).asByteBuffer();
        out = memory.asSlice(128, 256).asByteBuffer();
        in.put(plaintext).flip();
        int written = aead.encrypt(in, new byte[0], out);
        byte[] sealed = new byte[written];
        out.flip().get(sealed);
        assertThat(aead.decrypt(sealed, new byte[0])).isEqualTo(plaintext);
      }
      ByteBuffer freedIn = in.clear().limit(plaintext.length);
      ByteBuffer freedOut = out.clear();
      assertThatThrownBy(() -> aead.encrypt(freedIn, new byte[0], freedOut))
          .isInstanceOfAny(InvalidInputException.class, IllegalStateException.class);
    }
  }

  @Test
  void theDefaultEngineListsNativeAmongTheAvailable() {
    assertThat(Engines.status()).extracting(EngineStatus::name).contains("native", "jdk");
  }
}
