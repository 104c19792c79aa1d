package com.plugsky.crypto.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class LoggingAuditSinkTest {
  private static final List<String> EVENT_FIELDS =
      List.of(
          "timestamp",
          "operation",
          "keyRef",
          "backend",
          "region",
          "bytes",
          "latencyMicros",
          "outcome",
          "principal",
          "requestId",
          "headerSha256");

  /** Records what reaches it; logs only at or above {@code threshold}. */
  private static final class CapturingLogger implements System.Logger {
    final List<System.Logger.Level> levels = new ArrayList<>();
    final List<String> messages = new ArrayList<>();
    final System.Logger.Level threshold;

    CapturingLogger(System.Logger.Level threshold) {
      this.threshold = threshold;
    }

    @Override
    public String getName() {
      return "capture";
    }

    @Override
    public boolean isLoggable(System.Logger.Level level) {
      return level.getSeverity() >= threshold.getSeverity();
    }

    @Override
    public void log(System.Logger.Level level, ResourceBundle bundle, String msg, Throwable t) {
      levels.add(level);
      messages.add(msg);
    }

    @Override
    public void log(
        System.Logger.Level level, ResourceBundle bundle, String format, Object... params) {
      levels.add(level);
      messages.add(format);
    }

    @Override
    public void log(System.Logger.Level level, Supplier<String> msgSupplier) {
      levels.add(level);
      messages.add(msgSupplier.get());
    }
  }

  private static AuditEvent event(Outcome outcome, String principal) {
    return new AuditEvent(
        TestLogs.T0,
        Operation.UNWRAP,
        Optional.of("gcp-kms:projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k"),
        "gcp-kms",
        Optional.of("europe-west1"),
        32,
        Duration.ofMillis(7),
        outcome,
        Optional.of(principal),
        Optional.empty(),
        Optional.of("cd".repeat(32)));
  }

  @Test
  void logsExactlyTheEventFieldsAsOneJsonObject() {
    var logger = new CapturingLogger(System.Logger.Level.ALL);

    new LoggingAuditSink(logger).record(event(Outcome.SUCCESS, "svc-billing"));

    assertThat(logger.levels).containsExactly(System.Logger.Level.INFO);
    Map<String, Object> fields = TestLogs.parse(logger.messages.getFirst().getBytes(UTF_8));
    assertThat(fields.keySet()).containsExactlyElementsOf(EVENT_FIELDS);
    assertThat(fields)
        .containsEntry("timestamp", "2025-06-01T12:00:00.123456Z")
        .containsEntry("operation", "UNWRAP")
        .containsEntry("backend", "gcp-kms")
        .containsEntry("region", "europe-west1")
        .containsEntry("bytes", 32L)
        .containsEntry("latencyMicros", 7000L)
        .containsEntry("outcome", "SUCCESS")
        .containsEntry("principal", "svc-billing")
        .containsEntry("requestId", null)
        .containsEntry("headerSha256", "cd".repeat(32));
  }

  @Test
  void failuresLogAtWarningAndSkipWhenDisabled() {
    var warnOnly = new CapturingLogger(System.Logger.Level.WARNING);
    var sink = new LoggingAuditSink(warnOnly);

    sink.record(event(Outcome.SUCCESS, "a"));
    sink.record(event(Outcome.ACCESS_DENIED, "b"));

    assertThat(warnOnly.levels).containsExactly(System.Logger.Level.WARNING);
    assertThat(warnOnly.messages.getFirst()).contains("\"outcome\":\"ACCESS_DENIED\"");
  }

  @Test
  void callerSuppliedNewlinesCannotForgeASecondEntry() {
    var logger = new CapturingLogger(System.Logger.Level.ALL);

    new LoggingAuditSink(logger)
        .record(event(Outcome.SUCCESS, "eve\n{\"operation\":\"WRAP\",\"outcome\":\"SUCCESS\"}"));

    assertThat(logger.messages.getFirst()).doesNotContain("\n").doesNotContain("\r");
    assertThat(TestLogs.parse(logger.messages.getFirst().getBytes(UTF_8)))
        .containsEntry("operation", "UNWRAP")
        .containsEntry("principal", "eve\n{\"operation\":\"WRAP\",\"outcome\":\"SUCCESS\"}");
  }

  @Test
  void defaultSinkUsesThePlatformLoggerNamedAfterThePackage() {
    Logger jul = Logger.getLogger(LoggingAuditSink.LOGGER_NAME);
    List<LogRecord> records = new ArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            records.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    boolean useParentHandlers = jul.getUseParentHandlers();
    jul.setUseParentHandlers(false);
    jul.addHandler(handler);
    try {
      new LoggingAuditSink().record(event(Outcome.KEY_UNAVAILABLE, "svc"));
    } finally {
      jul.removeHandler(handler);
      jul.setUseParentHandlers(useParentHandlers);
    }

    assertThat(records).hasSize(1);
    assertThat(records.getFirst().getLoggerName()).isEqualTo("com.plugsky.crypto.audit");
    assertThat(records.getFirst().getLevel()).isEqualTo(Level.WARNING);
    assertThat(records.getFirst().getMessage())
        .startsWith("{\"timestamp\":\"2025-06-01T12:00:00.123456Z\"")
        .contains("\"outcome\":\"KEY_UNAVAILABLE\"")
        .doesNotContain("\"seq\"", "\"prev\"", "\"hash\"");
  }
}
