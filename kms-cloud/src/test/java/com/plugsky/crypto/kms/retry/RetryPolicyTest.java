package com.plugsky.crypto.kms.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final List<Long> waits = new ArrayList<>();

  private RetryPolicy policy(int attempts) {
    return RetryPolicy.builder()
        .maxAttempts(attempts)
        .baseDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofMillis(800))
        .build(waits::add);
  }

  @Test
  void retriesTransientFailuresUntilOneSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    String result =
        policy(4)
            .call(
                "Decrypt",
                () -> {
                  if (calls.incrementAndGet() < 3) {
                    throw new KeyUnavailableException("throttled (429)");
                  }
                  return "ok";
                });
    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);
    assertThat(waits).hasSize(2);
  }

  @Test
  void waitsAtLeastWhatTheBackendAskedFor() {
    AtomicInteger calls = new AtomicInteger();
    String result =
        policy(4)
            .call(
                "Decrypt",
                () -> {
                  if (calls.incrementAndGet() < 3) {
                    throw new KeyUnavailableException("429", null, Duration.ofMillis(1500));
                  }
                  return "ok";
                });

    assertThat(result).isEqualTo("ok");
    assertThat(waits).containsExactly(Duration.ofMillis(1500).toNanos(), Duration.ofMillis(1500).toNanos());
  }

  @Test
  void givesUpAtOnceWhenTheAskedWaitPassesTheDeadline() {
    RetryPolicy policy =
        RetryPolicy.builder().maxAttempts(4).deadline(Duration.ofSeconds(2)).build(waits::add);
    AtomicInteger calls = new AtomicInteger();

    assertThatThrownBy(
            () ->
                policy.call(
                    "Encrypt",
                    () -> {
                      calls.incrementAndGet();
                      throw new KeyUnavailableException("429", null, Duration.ofSeconds(5));
                    }))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessage(
            "Encrypt: gave up after 1 attempt (the backend asked to wait 5000 ms, past the deadline"
                + " of 2000 ms): 429");
    assertThat(calls).hasValue(1);
    assertThat(waits).isEmpty();
  }

  @Test
  void backoffGrowsExponentiallyWithFullJitterUpToTheCap() {
    RetryPolicy policy = policy(8);
    for (int run = 0; run < 50; run++) {
      waits.clear();
      assertThatThrownBy(
              () ->
                  policy.call(
                      "Encrypt",
                      () -> {
                        throw new KeyUnavailableException("503");
                      }))
          .isInstanceOf(KeyUnavailableException.class);
      assertThat(waits).hasSize(7);
      long[] caps = {100, 200, 400, 800, 800, 800, 800};
      for (int i = 0; i < caps.length; i++) {
        assertThat(waits.get(i)).isBetween(0L, Duration.ofMillis(caps[i]).toNanos());
      }
    }
  }

  @Test
  void exhaustedAttemptsSayHowManyAndKeepTheCauses() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                policy(3)
                    .call(
                        "GenerateDataKey",
                        () -> {
                          throw new KeyUnavailableException("attempt " + calls.incrementAndGet());
                        }))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessage("GenerateDataKey: gave up after 3 attempts: attempt 3")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    assertThat(calls).hasValue(3);
  }

  @Test
  void theExhaustedFailureKeepsTheBackendsLastRetryAfter() {
    AtomicInteger calls = new AtomicInteger();
    KeyUnavailableException afterAllAttempts =
        catchThrowableOfType(
            KeyUnavailableException.class,
            () ->
                policy(3)
                    .call(
                        "Encrypt",
                        () -> {
                          throw new KeyUnavailableException(
                              "429", null, Duration.ofMillis(100 * calls.incrementAndGet()));
                        }));
    KeyUnavailableException pastTheDeadline =
        catchThrowableOfType(
            KeyUnavailableException.class,
            () ->
                RetryPolicy.builder()
                    .maxAttempts(4)
                    .deadline(Duration.ofSeconds(2))
                    .build(waits::add)
                    .call(
                        "Encrypt",
                        () -> {
                          throw new KeyUnavailableException("429", null, Duration.ofSeconds(5));
                        }));

    assertThat(afterAllAttempts).hasMessageStartingWith("Encrypt: gave up after 3 attempts");
    assertThat(afterAllAttempts.retryAfter()).contains(Duration.ofMillis(300));
    assertThat(pastTheDeadline.retryAfter()).contains(Duration.ofSeconds(5));
  }

  @Test
  void aShorterDeadlineKeepsEveryOtherSetting() {
    RetryPolicy shorter = policy(3).withDeadline(Duration.ofMillis(250));

    assertThat(shorter.deadline()).isEqualTo(Duration.ofMillis(250));
    assertThat(shorter.maxAttempts()).isEqualTo(3);
    assertThat(shorter.attemptTimeout()).isEqualTo(policy(3).attemptTimeout());
    assertThatThrownBy(() -> shorter.withDeadline(Duration.ZERO))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void accessDeniedAndWrongKeyFailOnTheFirstAttempt() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                policy(4)
                    .call(
                        "Decrypt",
                        () -> {
                          calls.incrementAndGet();
                          throw new KeyAccessDeniedException("not authorized");
                        }))
        .isInstanceOf(KeyAccessDeniedException.class);
    assertThatThrownBy(
            () ->
                policy(4)
                    .call(
                        "Decrypt",
                        () -> {
                          calls.incrementAndGet();
                          throw new AuthenticationFailedException("invalid ciphertext");
                        }))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(calls).hasValue(2);
    assertThat(waits).isEmpty();
  }

  @Test
  void theDeadlineStopsRetryingBeforeTheAttemptsRunOut() {
    AtomicInteger calls = new AtomicInteger();
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(20)
            .baseDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofSeconds(1))
            .deadline(Duration.ofMillis(1))
            .build(waits::add);
    assertThatThrownBy(
            () ->
                policy.call(
                    "Encrypt",
                    () -> {
                      calls.incrementAndGet();
                      throw new KeyUnavailableException("timed out");
                    }))
        .isInstanceOf(KeyUnavailableException.class);
    assertThat(calls.get()).isLessThan(20);
  }

  @Test
  void interruptionWhileWaitingStopsWithTheInterruptFlagSet() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .build(
                nanos -> {
                  throw new InterruptedException();
                });
    assertThatThrownBy(
            () ->
                policy.call(
                    "Encrypt",
                    () -> {
                      throw new KeyUnavailableException("503");
                    }))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("interrupted");
    assertThat(Thread.interrupted()).isTrue();
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> RetryPolicy.builder().attemptTimeout(Duration.ZERO))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ofMillis(-1)))
        .isInstanceOf(InvalidInputException.class);
    assertThat(RetryPolicy.none().maxAttempts()).isEqualTo(1);
  }
}
