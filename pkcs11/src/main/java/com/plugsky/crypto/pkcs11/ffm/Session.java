package com.plugsky.crypto.pkcs11.ffm;

/**
 * An open PKCS#11 session of the pool and the native {@link Scratch} memory its calls use. One call
 * at a time: the pool lends it to one caller until that caller gives it back.
 */
final class Session {
  final long handle;
  final Scratch scratch;

  /**
   * When a caller last took it from the pool, on the pool's clock: its idle age is measured from
   * there (one clock read per checkout; a long call only makes the check come early).
   */
  long lastTaken;

  Session(long handle, Scratch scratch) {
    this.handle = handle;
    this.scratch = scratch;
  }
}
