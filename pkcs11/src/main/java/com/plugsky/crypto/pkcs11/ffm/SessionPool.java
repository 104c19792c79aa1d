package com.plugsky.crypto.pkcs11.ffm;

import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.ReturnCode;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * A bounded pool of sessions on one token. A call borrows a session (waiting up to the borrow
 * timeout when all are busy), runs, and gives it back; sessions idle for longer than the validation
 * age are checked before reuse. Each session carries its {@link Scratch} memory, released
 * (zeroed) after every attempt of a call. A thread may {@link #hold()} a session across calls: its
 * calls then skip the checkout.
 *
 * <p>A call that fails because the session or login went away is repaired and run once more: {@code
 * CKR_USER_NOT_LOGGED_IN} logs in again on the same session; {@code CKR_SESSION_HANDLE_INVALID} and
 * {@code CKR_SESSION_CLOSED} drop every idle session (a module closes them together, e.g. when its
 * last session closed and logged the user out) and open a new one, as does {@code
 * CKR_OPERATION_ACTIVE} (an operation an earlier failure left running); {@code CKR_DEVICE_REMOVED}
 * and {@code CKR_TOKEN_NOT_PRESENT} also let the token side find its slot again before opening. A
 * second failure is reported as it is.
 */
final class SessionPool implements AutoCloseable {

  /** The token side: how sessions are opened, logged in, checked and closed. */
  interface Connector {
    /** Opens a session, logged in as the user when the token needs it. */
    long open();

    /** Logs the user in again after the token forgot the login. */
    void login(long session);

    /** Whether the token still knows {@code session}. */
    boolean alive(long session);

    /** Closes {@code session}, ignoring errors: it may be gone already. */
    void close(long session);

    /** The token went away and came back: look up its slot again and forget object handles. */
    void reset();

    /** The token's name, for messages. */
    String name();
  }

  /** Work done on a borrowed session. */
  @FunctionalInterface
  interface Call<T> {
    T apply(Session session);
  }

  /**
   * A session borrowed for longer than one call: until {@link #close()}, the calls the holding
   * thread makes through the pool run on it with no checkout, and no other thread gets it.
   */
  final class Held implements AutoCloseable {
    private final Thread owner = Thread.currentThread();
    private Session session;
    private int depth = 1;

    private Held(Session session) {
      this.session = session;
    }

    /** Gives the session back to the pool; the thread's calls borrow again. */
    @Override
    public void close() {
      if (Thread.currentThread() != owner) {
        throw new IllegalStateException("a held session is given back by the thread that holds it");
      }
      if (held.get() != this || --depth > 0) {
        return;
      }
      held.remove();
      if (session != null) {
        give(session);
      }
      permits.release();
    }
  }

  private enum Repair {
    NONE,
    LOGIN,
    SESSION,
    TOKEN
  }

  private final Connector connector;
  private final int maxSessions;
  private final Duration borrowTimeout;
  private final long validateAfterNanos;
  private final LongSupplier nanoTime;
  private final long scratchBytes;
  private final Semaphore permits;
  /** Idle sessions, at most one per slot; a thread looks in its home slot first. */
  private final AtomicReferenceArray<Session> idle;
  private final ThreadLocal<Held> held = new ThreadLocal<>();
  private volatile boolean closed;

  SessionPool(
      Connector connector,
      int maxSessions,
      Duration borrowTimeout,
      Duration validateAfterIdle,
      LongSupplier nanoTime) {
    this(connector, maxSessions, borrowTimeout, validateAfterIdle, nanoTime, Scratch.DEFAULT_BYTES);
  }

  SessionPool(
      Connector connector,
      int maxSessions,
      Duration borrowTimeout,
      Duration validateAfterIdle,
      LongSupplier nanoTime,
      long scratchBytes) {
    this.connector = connector;
    this.maxSessions = maxSessions;
    this.borrowTimeout = borrowTimeout;
    this.validateAfterNanos = validateAfterIdle.toNanos();
    this.nanoTime = nanoTime;
    this.scratchBytes = scratchBytes;
    this.permits = new Semaphore(maxSessions, true);
    this.idle = new AtomicReferenceArray<>(maxSessions);
  }

  /**
   * Runs {@code call} on a pooled session (the thread's held one, if it holds one), repairing a
   * lost session or login once.
   */
  <T> T call(Call<T> call) {
    Held holding = held.get();
    if (holding != null) {
      if (holding.session == null) {
        holding.session = take();
      }
      return run(holding, call, false);
    }
    acquire();
    try {
      return run(new Held(take()), call, true);
    } finally {
      permits.release();
    }
  }

  /**
   * Lends the calling thread a session until the returned handle is closed (waiting for one as a
   * call would). Holds nest: a thread that holds one gets the same again, given back when the
   * outermost is closed.
   */
  Held hold() {
    Held holding = held.get();
    if (holding != null) {
      holding.depth++;
      return holding;
    }
    acquire();
    try {
      holding = new Held(take());
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
    held.set(holding);
    return holding;
  }

  /** Runs {@code call} on {@code borrowed}'s session; {@code giveBack} ends the borrowing. */
  private <T> T run(Held borrowed, Call<T> call, boolean giveBack) {
    for (int attempt = 0; ; attempt++) {
      Session session = borrowed.session;
      T result;
      try {
        result = call.apply(session);
      } catch (RuntimeException failure) {
        session.scratch.release();
        Repair repair = ReturnCode.of(failure).map(SessionPool::repairFor).orElse(Repair.NONE);
        if (repair == Repair.NONE) {
          if (giveBack) {
            give(session);
          }
          throw failure;
        }
        borrowed.session = null;
        if (attempt > 0) {
          close(session);
          throw failure;
        }
        try {
          borrowed.session = repair(repair, session);
        } catch (RuntimeException repairFailure) {
          if (repair == Repair.LOGIN) {
            close(session);
          }
          repairFailure.addSuppressed(failure);
          throw repairFailure;
        }
        continue;
      } catch (Error error) {
        // Out of memory or stack mid-call: the session may be left inside an operation, so it is
        // closed rather than pooled, and its scratch memory, which may hold plaintext, zeroed.
        session.scratch.release();
        borrowed.session = null;
        close(session);
        throw error;
      }
      session.scratch.release();
      if (giveBack) {
        give(session);
      }
      return result;
    }
  }

  @Override
  public void close() {
    closed = true;
    drainIdle();
  }

  private static Repair repairFor(ReturnCode code) {
    return switch (code) {
      case CKR_USER_NOT_LOGGED_IN -> Repair.LOGIN;
      // An operation an earlier failure left running blocks the session; closing it clears it.
      case CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED, CKR_OPERATION_ACTIVE -> Repair.SESSION;
      case CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT -> Repair.TOKEN;
      default -> Repair.NONE;
    };
  }

  private Session repair(Repair repair, Session session) {
    switch (repair) {
      case LOGIN -> {
        connector.login(session.handle);
        return session;
      }
      case SESSION -> {
        close(session);
        drainIdle();
        return open();
      }
      case TOKEN -> {
        close(session);
        drainIdle();
        connector.reset();
        return open();
      }
      default -> throw new IllegalStateException("no repair for " + repair);
    }
  }

  private void acquire() {
    if (closed) {
      throw new IllegalStateException("the Hsm for token " + connector.name() + " is closed");
    }
    boolean acquired;
    try {
      acquired = permits.tryAcquire(borrowTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyUnavailableException(
          "interrupted while waiting for a session to token " + connector.name(), e);
    }
    if (!acquired) {
      throw new KeyUnavailableException(
          "all "
              + maxSessions
              + " sessions to token "
              + connector.name()
              + " stayed busy for "
              + borrowTimeout.toMillis()
              + " ms");
    }
  }

  private Session take() {
    long now = nanoTime.getAsLong();
    int slots = idle.length();
    int slot = homeSlot();
    for (int looked = 0; looked < slots; looked++, slot = slot + 1 == slots ? 0 : slot + 1) {
      Session candidate = idle.get(slot);
      if (candidate == null || !idle.compareAndSet(slot, candidate, null)) {
        continue;
      }
      if (now - candidate.lastTaken < validateAfterNanos || connector.alive(candidate.handle)) {
        candidate.lastTaken = now;
        return candidate;
      }
      close(candidate);
    }
    Session opened = open();
    opened.lastTaken = now;
    return opened;
  }

  /**
   * Where the calling thread looks first and puts its session back: a thread that keeps calling
   * keeps its session (and the token's state for it) without touching the other threads' slots.
   */
  private int homeSlot() {
    return (int) (Thread.currentThread().threadId() % idle.length());
  }

  private Session open() {
    long handle = connector.open();
    try {
      return new Session(handle, new Scratch(scratchBytes));
    } catch (RuntimeException | Error e) {
      connector.close(handle);
      throw e;
    }
  }

  private void give(Session session) {
    if (closed) {
      close(session);
      return;
    }
    // There are never more sessions than slots, so one is free; a scan that lost the free ones to
    // other threads looks once more, and a session with no slot at all is one too many: closed.
    int slots = idle.length();
    int slot = homeSlot();
    for (int looked = 0; idle.get(slot) != null || !idle.compareAndSet(slot, null, session); ) {
      if (++looked == 2 * slots) {
        close(session);
        return;
      }
      slot = slot + 1 == slots ? 0 : slot + 1;
    }
    if (closed) {
      // close() ran between the check and the put: nothing else will drain this one.
      drainIdle();
    }
  }

  private void close(Session session) {
    try {
      connector.close(session.handle);
    } finally {
      session.scratch.free();
    }
  }

  private void drainIdle() {
    for (int slot = 0; slot < idle.length(); slot++) {
      Session stale = idle.getAndSet(slot, null);
      if (stale != null) {
        close(stale);
      }
    }
  }
}
