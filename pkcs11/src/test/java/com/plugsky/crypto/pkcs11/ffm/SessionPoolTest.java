package com.plugsky.crypto.pkcs11.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.ReturnCode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SessionPoolTest {

  /** A token that hands out numbered sessions and records what the pool asked of it. */
  private static final class FakeToken implements SessionPool.Connector {
    final AtomicLong next = new AtomicLong(1);
    final Set<Long> open = ConcurrentHashMap.newKeySet();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final Set<Long> dead = ConcurrentHashMap.newKeySet();
    int resets;

    @Override
    public long open() {
      long session = next.getAndIncrement();
      open.add(session);
      log.add("open " + session);
      return session;
    }

    @Override
    public void login(long session) {
      log.add("login " + session);
    }

    @Override
    public boolean alive(long session) {
      log.add("check " + session);
      return !dead.contains(session);
    }

    @Override
    public void close(long session) {
      open.remove(session);
      log.add("close " + session);
    }

    @Override
    public void reset() {
      resets++;
      log.add("reset");
    }

    @Override
    public String name() {
      return "fake";
    }
  }

  private final FakeToken token = new FakeToken();
  private final AtomicLong clock = new AtomicLong();

  private SessionPool pool(int max, Duration timeout) {
    return new SessionPool(token, max, timeout, Duration.ofSeconds(30), clock::get);
  }

  @Test
  void reusesTheSameSessionForSequentialCalls() {
    SessionPool pool = pool(2, Duration.ofSeconds(1));

    long first = pool.call(session -> session.handle);
    long second = pool.call(session -> session.handle);

    assertThat(second).isEqualTo(first);
    assertThat(token.log).containsExactly("open 1");
  }

  @Test
  void aSessionAnErrorInterruptedIsClosedAndItsScratchFreed() {
    SessionPool pool = pool(1, Duration.ofMillis(200));
    MemorySegment[] scratch = new MemorySegment[1];

    assertThatThrownBy(
            () ->
                pool.call(
                    session -> {
                      scratch[0] = session.scratch.allocate(16, 1);
                      scratch[0].fill((byte) 7);
                      throw new StackOverflowError("deep inside a call");
                    }))
        .isInstanceOf(StackOverflowError.class);
    long next = pool.call(session -> session.handle);

    assertThat(token.log).containsExactly("open 1", "close 1", "open 2");
    assertThat(next).isEqualTo(2);
    // Closing the session freed its scratch memory, which Scratch zeroes before freeing.
    assertThat(scratch[0].scope().isAlive()).isFalse();
  }

  @Test
  void neverOpensMoreThanItsBoundAndMakesCallersWait() throws Exception {
    SessionPool pool = pool(2, Duration.ofSeconds(5));
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(6);
    try {
      List<Future<Long>> calls = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        calls.add(
            threads.submit(
                () ->
                    pool.call(
                        session -> {
                          mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
                          sleep(2);
                          inside.decrementAndGet();
                          return session.handle;
                        })));
      }
      Set<Long> used = new HashSet<>();
      for (Future<Long> call : calls) {
        used.add(call.get());
      }
      assertThat(mostInside.get()).isLessThanOrEqualTo(2);
      assertThat(used).hasSizeLessThanOrEqualTo(2);
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void failsAsUnavailableWhenNoSessionFreesUpInTime() throws Exception {
    SessionPool pool = pool(1, Duration.ofMillis(50));
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      thread.submit(
          () ->
              pool.call(
                  session -> {
                    holding.countDown();
                    await(release);
                    return null;
                  }));
      assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();

      assertThatThrownBy(() -> pool.call(session -> session.handle))
          .isInstanceOf(KeyUnavailableException.class)
          .hasMessageContaining("1 sessions to token fake stayed busy for 50 ms");
    } finally {
      release.countDown();
      thread.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ReturnCode.class,
      names = {"CKR_SESSION_HANDLE_INVALID", "CKR_SESSION_CLOSED", "CKR_OPERATION_ACTIVE"})
  void reopensALostSessionAndRunsTheCallAgain(ReturnCode code) {
    SessionPool pool = pool(2, Duration.ofSeconds(1));
    pool.call(session -> session.handle);
    AtomicInteger attempts = new AtomicInteger();

    long used = pool.call(session -> failFirst(attempts, code, session.handle));

    assertThat(used).isEqualTo(2);
    assertThat(token.log).containsExactly("open 1", "close 1", "open 2");
    assertThat(token.resets).isZero();
  }

  @Test
  void logsInAgainOnTheSameSessionWhenTheTokenForgotTheLogin() {
    SessionPool pool = pool(2, Duration.ofSeconds(1));
    AtomicInteger attempts = new AtomicInteger();

    long used =
        pool.call(
            session -> failFirst(attempts, ReturnCode.CKR_USER_NOT_LOGGED_IN, session.handle));

    assertThat(used).isEqualTo(1);
    assertThat(token.log).containsExactly("open 1", "login 1");
  }

  @ParameterizedTest
  @EnumSource(
      value = ReturnCode.class,
      names = {"CKR_DEVICE_REMOVED", "CKR_TOKEN_NOT_PRESENT"})
  void findsTheTokenAgainAfterItWasRemoved(ReturnCode code) {
    SessionPool pool = pool(2, Duration.ofSeconds(1));
    AtomicInteger attempts = new AtomicInteger();

    long used = pool.call(session -> failFirst(attempts, code, session.handle));

    assertThat(used).isEqualTo(2);
    assertThat(token.log).containsExactly("open 1", "close 1", "reset", "open 2");
    assertThat(token.resets).isEqualTo(1);
  }

  @Test
  void reportsASecondFailureAsItIs() {
    SessionPool pool = pool(2, Duration.ofSeconds(1));

    assertThatThrownBy(
            () ->
                pool.call(
                    session -> {
                      throw ReturnCode.failure(
                          "C_Encrypt", ReturnCode.CKR_SESSION_HANDLE_INVALID.value(), "");
                    }))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("CKR_SESSION_HANDLE_INVALID");
    assertThat(token.log).containsExactly("open 1", "close 1", "open 2", "close 2");
    assertThat(token.open).isEmpty();
  }

  @Test
  void keepsTheSessionWhenTheFailureIsNotTheSessions() {
    SessionPool pool = pool(2, Duration.ofSeconds(1));

    assertThatThrownBy(
            () ->
                pool.call(
                    session -> {
                      throw ReturnCode.failure(
                          "C_Decrypt", ReturnCode.CKR_ENCRYPTED_DATA_INVALID.value(), "");
                    }))
        .isInstanceOf(AuthenticationFailedException.class);
    long reused = pool.call(session -> session.handle);
    assertThat(reused).isEqualTo(1);
    assertThat(token.log).containsExactly("open 1");
  }

  @Test
  void checksASessionIdleForLongerThanTheValidationAgeAndReplacesADeadOne() {
    SessionPool pool = pool(2, Duration.ofSeconds(1));
    pool.call(session -> session.handle);
    clock.addAndGet(Duration.ofSeconds(31).toNanos());
    token.dead.add(1L);

    long used = pool.call(session -> session.handle);

    assertThat(used).isEqualTo(2);
    assertThat(token.log).containsExactly("open 1", "check 1", "close 1", "open 2");
  }

  @Test
  void closeClosesIdleSessionsAndRefusesNewCalls() {
    SessionPool pool = pool(2, Duration.ofSeconds(1));
    pool.call(session -> session.handle);

    pool.close();

    assertThat(token.open).isEmpty();
    assertThatThrownBy(() -> pool.call(session -> session.handle))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aHeldSessionServesTheHoldersCallsAndNoOneElsesUntilGivenBack() throws Exception {
    SessionPool pool = pool(2, Duration.ofSeconds(1));
    // The other thread gets the other home slot; sharing one, it would give its session back to
    // the slot the holder's session returns to.
    int otherParity = (int) (1 - Thread.currentThread().threadId() % 2);
    ExecutorService other =
        Executors.newSingleThreadExecutor(body -> threadWithIdParity(otherParity, body));
    try {
      long held;
      try (SessionPool.Held hold = pool.hold()) {
        held = pool.call(session -> session.handle);
        assertThat(handleOf(pool)).isEqualTo(held);
        assertThat(other.submit(() -> pool.call(session -> session.handle)).get())
            .isNotEqualTo(held);
      }
      assertThat(token.log).containsExactly("open 1", "open 2");
      assertThat(handleOf(pool)).isEqualTo(held);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void aHeldSessionCountsAgainstTheBound() throws Exception {
    SessionPool pool = pool(1, Duration.ofMillis(50));
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      try (SessionPool.Held hold = pool.hold()) {
        Future<Long> starved = other.submit(() -> pool.call(session -> session.handle));
        assertThatThrownBy(starved::get).hasCauseInstanceOf(KeyUnavailableException.class);
      }
      assertThat(other.submit(() -> pool.call(session -> session.handle)).get()).isEqualTo(1);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void holdsNestAndTheOutermostGivesTheSessionBack() throws Exception {
    SessionPool pool = pool(1, Duration.ofMillis(50));
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      try (SessionPool.Held outer = pool.hold()) {
        try (SessionPool.Held inner = pool.hold()) {
          assertThat(inner).isSameAs(outer);
        }
        assertThatThrownBy(() -> other.submit(() -> pool.call(session -> session.handle)).get())
            .hasCauseInstanceOf(KeyUnavailableException.class);
      }
      assertThat(other.submit(() -> pool.call(session -> session.handle)).get()).isEqualTo(1);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void onlyTheHoldingThreadGivesAHeldSessionBack() throws Exception {
    SessionPool pool = pool(1, Duration.ofMillis(50));
    ExecutorService other = Executors.newSingleThreadExecutor();
    try (SessionPool.Held hold = pool.hold()) {
      assertThatThrownBy(() -> other.submit(hold::close).get())
          .hasCauseInstanceOf(IllegalStateException.class);
    } finally {
      other.shutdownNow();
    }
  }

  @Test
  void aHeldSessionLostToTheTokenIsReplacedAndStaysHeld() {
    SessionPool pool = pool(1, Duration.ofMillis(50));
    AtomicInteger attempts = new AtomicInteger();
    try (SessionPool.Held hold = pool.hold()) {
      long used =
          pool.call(
              session ->
                  failFirst(attempts, ReturnCode.CKR_SESSION_HANDLE_INVALID, session.handle));
      assertThat(used).isEqualTo(2);
      assertThat(handleOf(pool)).isEqualTo(2);
    }
    assertThat(token.log).containsExactly("open 1", "close 1", "open 2");
  }

  @Test
  void everyCallLeavesTheSessionsScratchMemoryZeroedWhetherItSucceedsOrFails() {
    SessionPool pool = pool(1, Duration.ofSeconds(1));
    pool.call(session -> session.scratch.allocate(64).fill((byte) 0x77));
    assertThatThrownBy(
            () ->
                pool.call(
                    session -> {
                      session.scratch.allocate(128).fill((byte) 0x77);
                      throw new IllegalStateException("fails after writing");
                    }))
        .isInstanceOf(IllegalStateException.class);

    byte[] seen =
        pool.call(session -> session.scratch.allocate(128).toArray(ValueLayout.JAVA_BYTE));

    assertThat(seen).containsOnly(0);
  }

  @Test
  void threadsWithTheirOwnHomeSlotsKeepTheirOwnSessionsWhenTakingTurns() throws Exception {
    SessionPool pool = pool(2, Duration.ofSeconds(1));
    CyclicBarrier bothInside = new CyclicBarrier(2);
    List<Long> seenByEven = Collections.synchronizedList(new ArrayList<>());
    List<Long> seenByOdd = Collections.synchronizedList(new ArrayList<>());
    Semaphore evenTurn = new Semaphore(1);
    Semaphore oddTurn = new Semaphore(0);
    Thread even =
        threadWithIdParity(0, () -> takeTurns(pool, bothInside, evenTurn, oddTurn, seenByEven));
    Thread odd =
        threadWithIdParity(1, () -> takeTurns(pool, bothInside, oddTurn, evenTurn, seenByOdd));

    even.start();
    odd.start();
    even.join(10_000);
    odd.join(10_000);

    assertThat(token.log).containsExactlyInAnyOrder("open 1", "open 2");
    assertThat(seenByEven).hasSize(21).containsOnly(seenByEven.getFirst());
    assertThat(seenByOdd).hasSize(21).containsOnly(seenByOdd.getFirst());
    assertThat(seenByOdd.getFirst()).isNotEqualTo(seenByEven.getFirst());
  }

  /** One call overlapping the other thread's (two sessions open), then 20 calls in turn. */
  private static void takeTurns(
      SessionPool pool,
      CyclicBarrier bothInside,
      Semaphore mine,
      Semaphore theirs,
      List<Long> seen) {
    seen.add(
        pool.call(
            session -> {
              await(bothInside);
              return session.handle;
            }));
    for (int i = 0; i < 20; i++) {
      mine.acquireUninterruptibly();
      seen.add(handleOf(pool));
      theirs.release();
    }
  }

  private static Thread threadWithIdParity(int parity, Runnable body) {
    for (Thread thread = new Thread(body); ; thread = new Thread(body)) {
      if (thread.threadId() % 2 == parity) {
        return thread;
      }
    }
  }

  private static long handleOf(SessionPool pool) {
    return pool.call(session -> session.handle);
  }

  private static long failFirst(AtomicInteger attempts, ReturnCode code, long session) {
    if (attempts.getAndIncrement() == 0) {
      throw ReturnCode.failure("C_EncryptInit", code.value(), "");
    }
    return session;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CyclicBarrier barrier) {
    try {
      barrier.await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
