package com.plugsky.crypto;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The key-holding backend (HSM, KMS, key file) could not be reached or answered with a transient
 * error. Retryable: the same call may succeed later, and sooner than {@link #retryAfter()} only
 * against the backend's wish.
 */
public final class KeyUnavailableException extends CryptoException {
  private final Duration retryAfter;

  public KeyUnavailableException(String message) {
    super(message);
    this.retryAfter = null;
  }

  public KeyUnavailableException(String message, Throwable cause) {
    super(message, cause);
    this.retryAfter = null;
  }

  /**
   * A failure for which the backend said how long to wait before trying again (an HTTP {@code
   * Retry-After}, a gRPC {@code RetryInfo}).
   */
  public KeyUnavailableException(String message, Throwable cause, Duration retryAfter) {
    super(message, cause);
    Objects.requireNonNull(retryAfter, "retryAfter");
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative");
    }
    this.retryAfter = retryAfter;
  }

  /** How long the backend asked callers to wait before the next attempt, when it said. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
