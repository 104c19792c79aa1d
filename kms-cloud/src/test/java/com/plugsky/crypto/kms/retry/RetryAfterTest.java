package com.plugsky.crypto.kms.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {
  private static final Clock NOW = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);

  @Test
  void delaySecondsAreAWait() {
    assertThat(RetryAfter.parse("120", NOW)).contains(Duration.ofSeconds(120));
    assertThat(RetryAfter.parse(" 0 ", NOW)).contains(Duration.ZERO);
  }

  @Test
  void anHttpDateIsTheWaitUntilThen() {
    assertThat(RetryAfter.parse("Fri, 27 Nov 2026 10:00:30 GMT", NOW)).contains(Duration.ofSeconds(30));
    assertThat(RetryAfter.parse("Fri, 27 Nov 2026 09:59:00 GMT", NOW)).contains(Duration.ZERO);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-5", "1.5", "soon", "99999999999999", "2026-11-27T10:00:30Z"})
  void anUnreadableValueAsksForNothing(String value) {
    assertThat(RetryAfter.parse(value, NOW)).isEmpty();
  }

  @Test
  void noHeaderAsksForNothing() {
    assertThat(RetryAfter.parse(null, NOW)).isEmpty();
  }
}
