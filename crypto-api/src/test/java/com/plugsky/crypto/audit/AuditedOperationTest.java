package com.plugsky.crypto.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.EngineUnavailableException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AuditedOperationTest {
  private static final AuditedOperation UNWRAP =
      AuditedOperation.of(Operation.UNWRAP, "azure-kv")
          .withKeyRef("azure-kv:https://v.vault.azure.net/keys/k/1")
          .withRegion("westeurope")
          .withBytes(32)
          .withPrincipal("svc-ledger")
          .withRequestId("req-9")
          .withHeaderSha256("ef".repeat(32));

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(new AuthenticationFailedException("tag"), Outcome.AUTHENTICATION_FAILED),
        Arguments.of(new InvalidInputException("short"), Outcome.INVALID_INPUT),
        Arguments.of(new MalformedCiphertextException("version"), Outcome.INVALID_INPUT),
        Arguments.of(new KeyUnavailableException("down"), Outcome.KEY_UNAVAILABLE),
        Arguments.of(new KeyAccessDeniedException("denied"), Outcome.ACCESS_DENIED),
        Arguments.of(new ConfigurationException("no wrapper"), Outcome.CONFIGURATION_ERROR),
        Arguments.of(
            new EngineUnavailableException("kat", new RuntimeException()),
            Outcome.CONFIGURATION_ERROR),
        Arguments.of(new IllegalStateException("bug"), Outcome.ERROR),
        Arguments.of(new StackOverflowError(), Outcome.ERROR));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void failedOperationIsRecordedWithItsOutcomeAndRethrownUnchanged(
      Throwable failure, Outcome expected) {
    List<AuditEvent> events = new ArrayList<>();

    assertThatThrownBy(
            () ->
                UNWRAP.call(
                    events::add,
                    () -> {
                      if (failure instanceof RuntimeException re) {
                        throw re;
                      }
                      throw (Error) failure;
                    }))
        .isSameAs(failure);
    assertThat(AuditedOperation.outcomeOf(failure)).isEqualTo(expected);
    assertThat(events).singleElement().extracting(AuditEvent::outcome).isEqualTo(expected);
  }

  @Test
  void successfulCallReturnsItsResultAndRecordsATimedEvent() {
    List<AuditEvent> events = new ArrayList<>();
    Instant before = Instant.now();

    byte[] result =
        UNWRAP.call(
            events::add,
            () -> {
              sleep(25);
              return new byte[] {1, 2, 3};
            });

    Instant after = Instant.now();
    assertThat(result).containsExactly(1, 2, 3);
    AuditEvent e = events.getFirst();
    assertThat(events).hasSize(1);
    assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
    assertThat(e.operation()).isEqualTo(Operation.UNWRAP);
    assertThat(e.keyRef()).contains("azure-kv:https://v.vault.azure.net/keys/k/1");
    assertThat(e.backend()).isEqualTo("azure-kv");
    assertThat(e.region()).contains("westeurope");
    assertThat(e.bytes()).isEqualTo(32);
    assertThat(e.principal()).contains("svc-ledger");
    assertThat(e.requestId()).contains("req-9");
    assertThat(e.headerSha256()).contains("ef".repeat(32));
    assertThat(e.timestamp()).isBetween(before, after);
    assertThat(e.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(25));
    assertThat(e.latency()).isLessThanOrEqualTo(Duration.between(before, after).plusMillis(1));
  }

  @Test
  void runRecordsARunnable() {
    List<AuditEvent> events = new ArrayList<>();
    int[] ran = {0};

    AuditedOperation.of(Operation.HSM_LOGIN, "sunpkcs11").run(events::add, () -> ran[0]++);

    assertThat(ran[0]).isEqualTo(1);
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.operation()).isEqualTo(Operation.HSM_LOGIN);
      assertThat(e.keyRef()).isEmpty();
      assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
    });
  }

  @Test
  void sinkFailureAfterSuccessPropagates() {
    var sinkDown = new IllegalStateException("sink down");

    assertThatThrownBy(
            () ->
                UNWRAP.call(
                    e -> {
                      throw sinkDown;
                    },
                    () -> "ok"))
        .isSameAs(sinkDown);
  }

  @Test
  void sinkFailureAfterOperationFailureIsSuppressedIntoIt() {
    var sinkDown = new IllegalStateException("sink down");
    var keyDown = new KeyUnavailableException("hsm unreachable");

    assertThatThrownBy(
            () ->
                UNWRAP.call(
                    e -> {
                      throw sinkDown;
                    },
                    () -> {
                      throw keyDown;
                    }))
        .isSameAs(keyDown)
        .satisfies(t -> assertThat(t.getSuppressed()).containsExactly(sinkDown));
  }

  @Test
  void withersClearWithNullAndRejectNegativeBytes() {
    AuditedOperation cleared = UNWRAP.withPrincipal(null).withRegion(null);

    assertThat(cleared.principal()).isEmpty();
    assertThat(cleared.region()).isEmpty();
    assertThat(cleared.requestId()).isEqualTo(Optional.of("req-9"));
    assertThatThrownBy(() -> UNWRAP.withBytes(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
