package com.plugsky.crypto.pkcs11.ffm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps object searches away from calls that create or destroy token objects, for modules that lose
 * an object they are creating when another session of the process searches the token meanwhile
 * ({@code HsmConfig.Quirk.FIND_RACES_TOKEN_OBJECT_CREATION}: SoftHSM 2.6.1). Searches share the
 * lock and still run side by side; cryptographic calls never take it. One lock per module and token
 * for the whole process, so every backend and every {@code Hsm} on the token shares it (a module is
 * loaded once per process, whichever backend loads it). A creating call takes it after it has its
 * session, so the holder never waits for a session, and may search under it: its duplicate check
 * and its creation are then one step for the rest of the process.
 */
public final class TokenObjectLock {
  private static final Map<String, TokenObjectLock> LOCKS = new ConcurrentHashMap<>();
  private static final TokenObjectLock NONE = new TokenObjectLock(null);

  /** Null for {@link #none()}. */
  private final ReadWriteLock lock;

  /** A call to run under the lock; it may throw what its backend's calls throw. */
  @FunctionalInterface
  public interface Call<T, E extends Exception> {
    T run() throws E;
  }

  private TokenObjectLock(ReadWriteLock lock) {
    this.lock = lock;
  }

  /**
   * The lock of the token labelled {@code tokenLabel} in the module at {@code module}. Paths are
   * compared after resolving links, as the dynamic loader loads a module once whatever link names
   * it.
   */
  public static TokenObjectLock of(Path module, String tokenLabel) {
    return LOCKS.computeIfAbsent(
        realPath(module) + "\0" + tokenLabel,
        k -> new TokenObjectLock(new ReentrantReadWriteLock()));
  }

  /** For modules that need no such lock: searches and changes run as they come. */
  public static TokenObjectLock none() {
    return NONE;
  }

  private static Path realPath(Path module) {
    try {
      return module.toRealPath();
    } catch (IOException e) {
      return module.toAbsolutePath().normalize();
    }
  }

  /** Runs {@code search} (C_FindObjectsInit to C_FindObjectsFinal) beside other searches only. */
  public <T, E extends Exception> T searching(Call<T, E> search) throws E {
    return lock == null ? search.run() : holding(lock.readLock(), search);
  }

  /** Runs {@code change}, which creates or destroys token objects, with no search alongside. */
  public <T, E extends Exception> T changing(Call<T, E> change) throws E {
    return lock == null ? change.run() : holding(lock.writeLock(), change);
  }

  private static <T, E extends Exception> T holding(Lock held, Call<T, E> call) throws E {
    held.lock();
    try {
      return call.run();
    } finally {
      held.unlock();
    }
  }
}
