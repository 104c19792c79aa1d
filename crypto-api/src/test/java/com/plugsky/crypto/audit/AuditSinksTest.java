package com.plugsky.crypto.audit;

import static com.plugsky.crypto.audit.TestLogs.event;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditSinksTest {
  @TempDir Path dir;

  @Test
  void teeDeliversEachEventToEverySinkInOrder() {
    List<String> seen = new ArrayList<>();
    AuditSink tee =
        AuditSinks.tee(
            e -> seen.add("a:" + e.requestId().orElseThrow()),
            e -> seen.add("b:" + e.requestId().orElseThrow()));

    tee.record(event(1));
    tee.record(event(2));

    assertThat(seen).containsExactly("a:req-1", "b:req-1", "a:req-2", "b:req-2");
  }

  @Test
  void teeReachesEverySinkEvenWhenSomeThrowAndRethrowsTheFirst() {
    List<String> seen = new ArrayList<>();
    var first = new IllegalStateException("first");
    var second = new IllegalArgumentException("second");
    AuditSink tee =
        AuditSinks.tee(
            e -> {
              throw first;
            },
            e -> seen.add("middle"),
            e -> {
              throw second;
            },
            e -> seen.add("last"));

    assertThatThrownBy(() -> tee.record(event(1)))
        .isSameAs(first)
        .satisfies(t -> assertThat(t.getSuppressed()).containsExactly(second));
    assertThat(seen).containsExactly("middle", "last");
  }

  @Test
  void teeOfNoneOrOneSinkAddsNoWrapper() {
    AuditSink only = e -> {};

    assertThat(AuditSinks.tee()).isSameAs(AuditSink.NONE);
    assertThat(AuditSinks.tee(only)).isSameAs(only);
    assertThatThrownBy(() -> AuditSinks.tee(only, null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void failSafeSwallowsAndCountsFailures() {
    List<Long> delivered = new ArrayList<>();
    AuditSinks.FailSafe safe =
        AuditSinks.failSafe(
            e -> {
              if (e.bytes() % 2 == 0) {
                throw new IllegalStateException("sink down");
              }
              delivered.add(e.bytes());
            });

    for (int i = 1; i <= 5; i++) {
      safe.record(event(i));
    }

    assertThat(delivered).containsExactly(33L, 35L, 37L);
    assertThat(safe.droppedEvents()).isEqualTo(2);
  }

  @Test
  void failSafeAroundAClosedFileSinkDropsInsteadOfThrowing() {
    var file = JsonLinesAuditSink.open(dir.resolve("audit.jsonl"));
    file.close();
    var safe = AuditSinks.failSafe(AuditSinks.tee(file, new LoggingAuditSink()));

    safe.record(event(1));

    assertThat(safe.droppedEvents()).isEqualTo(1);
  }
}
