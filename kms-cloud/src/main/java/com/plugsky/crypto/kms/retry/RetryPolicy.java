package com.plugsky.crypto.kms.retry;

import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyUnavailableException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * How a KMS call is repeated when it fails transiently: up to {@link #maxAttempts()} attempts,
 * each bounded by {@link #attemptTimeout()} (the provider configures its client with it), with
 * exponential backoff and full jitter between them, all within {@link #deadline()}.
 *
 * <p>Only failures whose {@link CryptoException#isRetryable()} is true are repeated (throttling,
 * 5xx, timeouts, connection errors, mapped by each provider to {@link KeyUnavailableException});
 * access denied, a wrong key or context, and malformed input fail on the first attempt. When the
 * backend said how long to wait ({@link KeyUnavailableException#retryAfter()}, e.g. Key Vault's
 * {@code Retry-After}), the next attempt waits at least that long, or the call gives up at once if
 * that wait would pass the deadline.
 */
public final class RetryPolicy {
  private final int maxAttempts;
  private final Duration baseDelay;
  private final Duration maxDelay;
  private final Duration attemptTimeout;
  private final Duration deadline;
  private final Sleeper sleeper;

  private RetryPolicy(Builder builder, Sleeper sleeper) {
    this.maxAttempts = builder.maxAttempts;
    this.baseDelay = builder.baseDelay;
    this.maxDelay = builder.maxDelay;
    this.attemptTimeout = builder.attemptTimeout;
    this.deadline = builder.deadline;
    this.sleeper = sleeper;
  }

  private RetryPolicy(RetryPolicy settings, Duration deadline) {
    this.maxAttempts = settings.maxAttempts;
    this.baseDelay = settings.baseDelay;
    this.maxDelay = settings.maxDelay;
    this.attemptTimeout = settings.attemptTimeout;
    this.deadline = deadline;
    this.sleeper = settings.sleeper;
  }

  /**
   * This policy with another deadline: for a call that must finish within what is left of an
   * earlier one's time, such as a fallback to another region.
   */
  public RetryPolicy withDeadline(Duration deadline) {
    return new RetryPolicy(this, Builder.positive(deadline, "deadline"));
  }

  /** Four attempts, 100 ms base delay capped at 2 s, 10 s per attempt, 30 s in all. */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  /** One attempt, no waiting: for callers that do their own retrying. */
  public static RetryPolicy none() {
    return builder().maxAttempts(1).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  /** The bound on one attempt; providers set their HTTP or gRPC client's timeouts from it. */
  public Duration attemptTimeout() {
    return attemptTimeout;
  }

  /** The bound on all attempts and waits together. */
  public Duration deadline() {
    return deadline;
  }

  /**
   * Runs {@code call}, repeating it on retryable failures. The last failure is rethrown when the
   * attempts or the deadline run out; earlier ones are attached to it as suppressed exceptions.
   *
   * @param operation names the call in the message of a failure that exhausted the attempts
   */
  public <T> T call(String operation, Supplier<T> call) {
    Objects.requireNonNull(call, "call");
    long startNanos = System.nanoTime();
    CryptoException first = null;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (CryptoException failure) {
        if (!failure.isRetryable()) {
          throw failure;
        }
        if (first == null) {
          first = failure;
        } else {
          first.addSuppressed(failure);
        }
        long askedNanos = askedWaitNanos(failure);
        long waitNanos = Math.max(backoffNanos(attempt), askedNanos);
        long elapsedNanos = System.nanoTime() - startNanos;
        if (attempt >= maxAttempts) {
          throw exhausted(operation, attempt, failure, first, "");
        }
        if (elapsedNanos + waitNanos >= deadline.toNanos()) {
          String why =
              askedNanos > 0 && askedNanos == waitNanos
                  ? " (the backend asked to wait " + Duration.ofNanos(askedNanos).toMillis()
                      + " ms, past the deadline of " + deadline.toMillis() + " ms)"
                  : "";
          throw exhausted(operation, attempt, failure, first, why);
        }
        sleep(operation, waitNanos, first);
      }
    }
  }

  /** A backend's own Retry-After: waiting less would only be throttled again. */
  private static long askedWaitNanos(CryptoException failure) {
    return failure instanceof KeyUnavailableException unavailable
        ? unavailable.retryAfter().map(RetryPolicy::saturatedNanos).orElse(0L)
        : 0L;
  }

  private static long saturatedNanos(Duration duration) {
    return duration.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1).toNanos() : duration.toNanos();
  }

  private long backoffNanos(int attempt) {
    long cap =
        Math.min(maxDelay.toNanos(), baseDelay.toNanos() << Math.min(attempt - 1, 20));
    return cap <= 0 ? 0 : ThreadLocalRandom.current().nextLong(cap + 1);
  }

  private void sleep(String operation, long nanos, CryptoException failure) {
    try {
      sleeper.sleep(nanos);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      KeyUnavailableException stopped =
          new KeyUnavailableException(operation + ": interrupted while waiting to retry", failure);
      throw stopped;
    }
  }

  private static CryptoException exhausted(
      String operation, int attempts, CryptoException last, CryptoException first, String why) {
    if (attempts == 1 && why.isEmpty()) {
      return last;
    }
    String tries = attempts == 1 ? "1 attempt" : attempts + " attempts";
    String message = operation + ": gave up after " + tries + why + ": " + last.getMessage();
    // The backend's own Retry-After stays visible to a caller who retries later itself.
    Optional<Duration> retryAfter =
        last instanceof KeyUnavailableException unavailable
            ? unavailable.retryAfter()
            : Optional.empty();
    KeyUnavailableException exhausted =
        retryAfter.isPresent()
            ? new KeyUnavailableException(message, last, retryAfter.get())
            : new KeyUnavailableException(message, last);
    if (first != last) {
      exhausted.addSuppressed(first);
    }
    return exhausted;
  }

  /** Waits between attempts; tests replace it to run without sleeping. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  /** Settings of a {@link RetryPolicy}; every one has a default. */
  public static final class Builder {
    private int maxAttempts = 4;
    private Duration baseDelay = Duration.ofMillis(100);
    private Duration maxDelay = Duration.ofSeconds(2);
    private Duration attemptTimeout = Duration.ofSeconds(10);
    private Duration deadline = Duration.ofSeconds(30);

    private Builder() {}

    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 20) {
        throw new InvalidInputException("maxAttempts must be 1..20, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The first wait's upper bound; each retry doubles it up to {@link #maxDelay}. */
    public Builder baseDelay(Duration baseDelay) {
      this.baseDelay = notNegative(baseDelay, "baseDelay");
      return this;
    }

    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = notNegative(maxDelay, "maxDelay");
      return this;
    }

    public Builder attemptTimeout(Duration attemptTimeout) {
      this.attemptTimeout = positive(attemptTimeout, "attemptTimeout");
      return this;
    }

    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(this, nanos -> Thread.sleep(Duration.ofNanos(nanos)));
    }

    RetryPolicy build(Sleeper sleeper) {
      return new RetryPolicy(this, sleeper);
    }

    private static Duration notNegative(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative()) {
        throw new InvalidInputException(name + " must not be negative, got " + value);
      }
      return value;
    }

    private static Duration positive(Duration value, String name) {
      if (notNegative(value, name).isZero()) {
        throw new InvalidInputException(name + " must be positive");
      }
      return value;
    }
  }
}
