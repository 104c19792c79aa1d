package com.plugsky.crypto.pkcs11.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.MissingKey;
import com.plugsky.crypto.pkcs11.pool.HsmPool.Health;
import com.plugsky.crypto.pkcs11.pool.HsmPool.Served;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Two SoftHSM2 tokens holding the same key behind one {@link HsmPool}. */
class HsmPoolIT {

  private static Hsm member(String token) {
    return Hsm.open(SoftHsm.get().config(token).maxSessions(2).build());
  }

  /** The same AES key imported into each token, as replication or a restored backup leaves it. */
  private static HsmKey sharedKey(String... tokens) {
    HsmKey key = HsmKey.label("pool-" + UUID.randomUUID());
    byte[] value = CryptoRandom.bytes(32);
    for (String token : tokens) {
      try (Hsm hsm = member(token)) {
        hsm.importAesKey(key, value);
      }
    }
    return key;
  }

  @Test
  void spreadsCallsOverHealthyMembersAndSaysWhichServed() {
    HsmKey key = sharedKey(SoftHsm.POOL_A, SoftHsm.POOL_B);
    try (HsmPool pool =
        HsmPool.builder()
            .member("a", member(SoftHsm.POOL_A))
            .member("b", member(SoftHsm.POOL_B))
            .probeKey(key)
            .build()) {
      byte[] iv = CryptoRandom.bytes(12);
      List<String> servedBy = new ArrayList<>();
      byte[] first = null;
      for (int i = 0; i < 10; i++) {
        Served<byte[]> served =
            pool.call(hsm -> hsm.encryptAesGcm(key, iv, new byte[16], new byte[0]));
        servedBy.add(served.member());
        if (first != null) {
          assertThat(served.value()).isEqualTo(first);
        }
        first = served.value();
      }

      assertThat(servedBy).containsOnly("a", "b").contains("a", "b");
      assertThat(pool.checkHealth())
          .containsExactly(Map.entry("a", Health.HEALTHY), Map.entry("b", Health.HEALTHY));
      // An answer is not a failure: a bad tag is thrown, nobody is benched.
      byte[] sealed = pool.encryptAesGcm(key, iv, new byte[16], new byte[0]);
      sealed[0] ^= 1;
      assertThatThrownBy(() -> pool.decryptAesGcm(key, iv, sealed, new byte[0]))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(pool.health()).containsOnlyKeys("a", "b").doesNotContainValue(Health.BENCHED);
    }
  }

  @Test
  void aChangeRunsOnceOnTheFirstMemberAndIsNeverRepeatedElsewhere() {
    HsmKey onlyOnA = HsmKey.label("pool-" + UUID.randomUUID());
    try (Hsm a = member(SoftHsm.POOL_A)) {
      a.generateAesKey(onlyOnA);
    }
    try (HsmPool pool =
        HsmPool.builder()
            .member("a", member(SoftHsm.POOL_A))
            .member("b", member(SoftHsm.POOL_B))
            .build()) {
      // Member a refuses (the label is taken); b would have taken it, but is never asked.
      assertThatThrownBy(() -> pool.importAesKey(onlyOnA, new byte[32]))
          .isInstanceOf(InvalidInputException.class);
      HsmKey fresh = HsmKey.label("pool-" + UUID.randomUUID());
      pool.generateAesKey(fresh);

      try (Hsm a = member(SoftHsm.POOL_A);
          Hsm b = member(SoftHsm.POOL_B)) {
        assertThat(b.contains(onlyOnA)).isFalse();
        assertThat(a.contains(fresh)).isTrue();
        assertThat(b.contains(fresh)).isFalse();
      }
      // A key on one member only: reads fail over to where it is.
      Served<Boolean> found =
          pool.call(
              hsm -> {
                hsm.encryptAesGcm(fresh, new byte[12], new byte[1], new byte[0]);
                return true;
              });
      assertThat(found.member()).isEqualTo("a");
    }
  }

  @Test
  void aKeyNoMemberHoldsIsATypedAnswerThatBenchesNobody() {
    HsmKey nowhere = HsmKey.label("pool-" + UUID.randomUUID());
    try (HsmPool pool =
        HsmPool.builder()
            .member("a", member(SoftHsm.POOL_A))
            .member("b", member(SoftHsm.POOL_B))
            .build()) {
      assertThatThrownBy(() -> pool.encryptAesGcm(nowhere, new byte[12], new byte[1], new byte[0]))
          .isInstanceOf(KeyUnavailableException.class)
          .satisfies(e -> assertThat(MissingKey.is(e)).isTrue())
          .hasMessageContaining("no member holds the key")
          .hasMessageContaining("a: token " + SoftHsm.POOL_A + " holds no secret key")
          .hasMessageContaining("b: token " + SoftHsm.POOL_B + " holds no secret key");
      assertThatThrownBy(() -> pool.destroyKey(nowhere))
          .isInstanceOf(KeyUnavailableException.class)
          .satisfies(e -> assertThat(MissingKey.is(e)).isTrue());

      assertThat(pool.health())
          .containsExactly(Map.entry("a", Health.HEALTHY), Map.entry("b", Health.HEALTHY));
    }
  }

  @Test
  void losesNoOperationWhenAMemberFailsMidRun() throws Exception {
    HsmKey key = sharedKey(SoftHsm.POOL_A, SoftHsm.POOL_DOOMED);
    try (HsmPool pool =
        HsmPool.builder()
            .member("a", member(SoftHsm.POOL_A))
            .member("doomed", member(SoftHsm.POOL_DOOMED))
            .retryAfter(Duration.ofMinutes(5))
            .probeKey(key)
            .build()) {
      int threads = 2;
      int roundsAfterDooming = 20;
      AtomicBoolean doomedSet = new AtomicBoolean();
      // Calls hold the read side; dooming the member takes the write side, so no call is inside
      // the token while its key is destroyed (SoftHSM then answers such a call with
      // CKR_MECHANISM_INVALID, a state no real outage produces). Every later call meets the
      // failed member; losesNoOperationWhenAMemberFailsWhileCallsAreInFlight fails one mid-call.
      ReadWriteLock gate = new ReentrantReadWriteLock();
      CountDownLatch running = new CountDownLatch(threads);
      ExecutorService workers = Executors.newFixedThreadPool(threads);
      List<Future<List<String>>> results =
          startRoundTrips(
              workers,
              threads,
              running,
              doomedSet,
              roundsAfterDooming,
              (iv, plaintext) -> {
                gate.readLock().lock();
                try {
                  Served<byte[]> sealed =
                      pool.call(hsm -> hsm.encryptAesGcm(key, iv, plaintext, iv));
                  return List.of(
                      sealed, pool.call(hsm -> hsm.decryptAesGcm(key, iv, sealed.value(), iv)));
                } finally {
                  gate.readLock().unlock();
                }
              });
      assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
      // The token loses its storage: the key is gone and so is its directory.
      gate.writeLock().lock();
      try (Hsm doomed = member(SoftHsm.POOL_DOOMED)) {
        doomed.destroyKey(key);
        SoftHsm.get().removeTokenDirectory(SoftHsm.POOL_DOOMED);
      } finally {
        gate.writeLock().unlock();
      }
      doomedSet.set(true);

      for (Future<List<String>> result : results) {
        List<String> servedBy = result.get(120, TimeUnit.SECONDS);
        // Both served before the failure; every call after it was served by the survivor.
        assertThat(servedBy.subList(0, 40)).contains("a", "doomed");
        assertThat(
                servedBy.subList(servedBy.size() - 2 * (roundsAfterDooming - 1), servedBy.size()))
            .containsOnly("a");
      }
      workers.shutdown();
      // The doomed member answers that it holds no such key, which benches nobody; the probe for
      // the key every member must hold does.
      assertThat(pool.checkHealth())
          .containsEntry("doomed", Health.BENCHED)
          .containsEntry("a", Health.HEALTHY);
    }
    assertThatThrownBy(() -> member(SoftHsm.POOL_DOOMED))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("no token labelled " + SoftHsm.POOL_DOOMED);
  }

  @Test
  void losesNoOperationWhenAMemberFailsWhileCallsAreInFlight() throws Exception {
    HsmKey key = sharedKey(SoftHsm.POOL_B, SoftHsm.POOL_FAILING);
    Hsm failing = member(SoftHsm.POOL_FAILING);
    List<RuntimeException> failingAnswers = new CopyOnWriteArrayList<>();
    try (HsmPool pool =
        HsmPool.builder()
            .member("b", member(SoftHsm.POOL_B))
            .member("failing", failing)
            .retryAfter(Duration.ofMinutes(5))
            .build()) {
      int threads = 2;
      int roundsAfterFailure = 50;
      AtomicBoolean failed = new AtomicBoolean();
      CountDownLatch running = new CountDownLatch(threads);
      ExecutorService workers = Executors.newFixedThreadPool(threads);
      List<Future<List<String>>> results =
          startRoundTrips(
              workers,
              threads,
              running,
              failed,
              roundsAfterFailure,
              (iv, plaintext) -> {
                Served<byte[]> sealed =
                    pool.call(
                        recording(
                            failing,
                            failingAnswers,
                            hsm -> hsm.encryptAesGcm(key, iv, plaintext, iv)));
                return List.of(
                    sealed,
                    pool.call(
                        recording(
                            failing,
                            failingAnswers,
                            hsm -> hsm.decryptAesGcm(key, iv, sealed.value(), iv))));
              });
      assertThat(running.await(60, TimeUnit.SECONDS)).isTrue();
      // No gate: both threads are calling into the pool, and so into the token, as it goes.
      SoftHsm.get().removeTokenDirectory(SoftHsm.POOL_FAILING);
      failed.set(true);

      for (Future<List<String>> result : results) {
        List<String> servedBy = result.get(120, TimeUnit.SECONDS);
        assertThat(servedBy.subList(0, 40)).contains("b", "failing");
        assertThat(servedBy.subList(servedBy.size() - 40, servedBy.size())).containsOnly("b");
      }
      workers.shutdown();
      // The calls that met the failure were all answered "no such key" (the cached handle went
      // stale and the lookup found nothing), which the pool fails over without benching.
      assertThat(failingAnswers)
          .isNotEmpty()
          .allSatisfy(e -> assertThat(MissingKey.is(e)).as(e.toString()).isTrue());
    }
  }

  /** An AES-GCM round trip through the pool: what sealing and what opening returned. */
  private interface RoundTrip {
    List<Served<byte[]>> run(byte[] iv, byte[] plaintext);
  }

  /**
   * Starts {@code threads} workers repeating {@code roundTrip} on random inputs, each checking that
   * it opened what it sealed and keeping which member served each call. A worker counts down {@code
   * running} once 40 calls were served, and stops {@code roundsAfter} round trips after {@code
   * failed} is set; its future returns the members in order.
   */
  private static List<Future<List<String>>> startRoundTrips(
      ExecutorService workers,
      int threads,
      CountDownLatch running,
      AtomicBoolean failed,
      int roundsAfter,
      RoundTrip roundTrip) {
    List<Future<List<String>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(
          workers.submit(
              () -> {
                List<String> servedBy = new ArrayList<>();
                int afterFailure = 0;
                while (afterFailure < roundsAfter) {
                  if (servedBy.size() == 40) {
                    running.countDown();
                  }
                  if (failed.get()) {
                    afterFailure++;
                  }
                  byte[] iv = CryptoRandom.bytes(12);
                  byte[] plaintext = CryptoRandom.bytes(64);
                  List<Served<byte[]>> served = roundTrip.run(iv, plaintext);
                  if (!Arrays.equals(served.get(1).value(), plaintext)) {
                    throw new AssertionError("a round trip returned other bytes");
                  }
                  servedBy.add(served.get(0).member());
                  servedBy.add(served.get(1).member());
                }
                return servedBy;
              }));
    }
    return results;
  }

  /** {@code operation}, keeping what {@code watched} threw before the pool sees it. */
  private static <T> Function<Hsm, T> recording(
      Hsm watched, List<RuntimeException> thrown, Function<Hsm, T> operation) {
    return hsm -> {
      try {
        return operation.apply(hsm);
      } catch (RuntimeException e) {
        if (hsm == watched) {
          thrown.add(e);
        }
        throw e;
      }
    };
  }
}
