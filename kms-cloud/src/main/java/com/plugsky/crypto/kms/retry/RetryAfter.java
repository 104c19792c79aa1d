package com.plugsky.crypto.kms.retry;

import com.plugsky.crypto.KeyUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads an HTTP {@code Retry-After} header (RFC 9110, section 10.2.3) as a wait. */
public final class RetryAfter {
  private RetryAfter() {}

  /**
   * The wait a {@code Retry-After} value asks for: delay-seconds, or an HTTP date (a date already
   * past asks for no wait). Empty for a missing or unreadable value, which leaves the backoff alone.
   */
  public static Optional<Duration> parse(String value) {
    return parse(value, Clock.systemUTC());
  }

  /**
   * A retryable failure that carries the backend's wait, when it gave one, and names it in the
   * message; {@code cause} may be null.
   */
  public static KeyUnavailableException unavailable(
      String message, Throwable cause, Optional<Duration> retryAfter) {
    return retryAfter
        .map(
            wait ->
                new KeyUnavailableException(
                    message + ", retry after " + wait.toMillis() + " ms", cause, wait))
        .orElseGet(() -> new KeyUnavailableException(message, cause));
  }

  static Optional<Duration> parse(String value, Clock clock) {
    if (value == null) {
      return Optional.empty();
    }
    String trimmed = value.strip();
    if (trimmed.matches("[0-9]{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(trimmed)));
    }
    try {
      Instant at = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(clock.instant(), at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException unreadable) {
      return Optional.empty();
    }
  }
}
