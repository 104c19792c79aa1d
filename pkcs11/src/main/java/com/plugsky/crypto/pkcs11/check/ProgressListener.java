package com.plugsky.crypto.pkcs11.check;

/** Hears about each check of an {@link HsmCheck} run as it starts and ends, e.g. to print it. */
public interface ProgressListener {
  ProgressListener NONE = new ProgressListener() {};

  /** {@code check} ({@link CheckResult#name()}) is about to run. */
  default void started(String check) {}

  /** A check ended, passed, failed or skipped. */
  default void finished(CheckResult result) {}
}
