package com.plugsky.crypto.engine;

/**
 * An engine gave a wrong answer (or failed) in its {@link KnownAnswerTest}: it loaded but computes
 * incorrectly, which is a defect to report, unlike a missing jar or native library.
 */
public final class SelfTestFailedException extends IllegalStateException {
  SelfTestFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
