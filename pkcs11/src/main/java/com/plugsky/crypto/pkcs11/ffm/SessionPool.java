package com.plugsky.crypto.pkcs11.ffm;

import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.ReturnCode;
import java.time.Duration;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A bounded pool of sessions on one token. A call borrows a session (waiting up to the borrow
 * timeout when all are busy), runs, and gives it back; sessions idle for longer than the validation
 * age are checked before reuse.
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
    T apply(long session);
  }

  private enum Repair {
    NONE,
    LOGIN,
    SESSION,
    TOKEN
  }

  private record Idle(long session, long since) {}

  private final Connector connector;
  private final int maxSessions;
  private final Duration borrowTimeout;
  private final long validateAfterNanos;
  private final LongSupplier nanoTime;
  private final Semaphore permits;
  private final Deque<Idle> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  SessionPool(
      Connector connector,
      int maxSessions,
      Duration borrowTimeout,
      Duration validateAfterIdle,
      LongSupplier nanoTime) {
    this.connector = connector;
    this.maxSessions = maxSessions;
    this.borrowTimeout = borrowTimeout;
    this.validateAfterNanos = validateAfterIdle.toNanos();
    this.nanoTime = nanoTime;
    this.permits = new Semaphore(maxSessions, true);
  }

  /** Runs {@code call} on a pooled session, repairing a lost session or login once. */
  <T> T call(Call<T> call) {
    acquire();
    try {
      long session = take();
      for (int attempt = 0; ; attempt++) {
        T result;
        try {
          result = call.apply(session);
        } catch (RuntimeException failure) {
          Repair repair = ReturnCode.of(failure).map(SessionPool::repairFor).orElse(Repair.NONE);
          if (repair == Repair.NONE) {
            give(session);
            throw failure;
          }
          if (attempt > 0) {
            connector.close(session);
            throw failure;
          }
          try {
            session = repair(repair, session);
          } catch (RuntimeException repairFailure) {
            repairFailure.addSuppressed(failure);
            throw repairFailure;
          }
          continue;
        }
        give(session);
        return result;
      }
    } finally {
      permits.release();
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

  private long repair(Repair repair, long session) {
    switch (repair) {
      case LOGIN -> {
        connector.login(session);
        return session;
      }
      case SESSION -> {
        connector.close(session);
        drainIdle();
        return connector.open();
      }
      case TOKEN -> {
        connector.close(session);
        drainIdle();
        connector.reset();
        return connector.open();
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

  private long take() {
    for (Idle candidate = idle.pollFirst(); candidate != null; candidate = idle.pollFirst()) {
      if (nanoTime.getAsLong() - candidate.since() < validateAfterNanos
          || connector.alive(candidate.session())) {
        return candidate.session();
      }
      connector.close(candidate.session());
    }
    return connector.open();
  }

  private void give(long session) {
    if (closed) {
      connector.close(session);
      return;
    }
    // Most recently used first: a hot session stays hot, and the rest age into validation.
    idle.addFirst(new Idle(session, nanoTime.getAsLong()));
    if (closed) {
      // close() ran between the check and the add: nothing else will drain this one.
      drainIdle();
    }
  }

  private void drainIdle() {
    for (Idle stale = idle.pollFirst(); stale != null; stale = idle.pollFirst()) {
      connector.close(stale.session());
    }
  }
}
