package com.plugsky.crypto.audit;

import java.util.Objects;

/**
 * Writes each {@link AuditEvent} as one JSON object to a {@link System.Logger}, the JDK's platform
 * logging. By default it goes to {@code java.util.logging}; with a bridge such as SLF4J's {@code
 * slf4j-jdk-platform-logging} on the classpath it reaches Logback, Log4j and friends, so this
 * module needs no logging dependency.
 *
 * <p>The message is the event's own fields, in this order: {@code timestamp}, {@code operation},
 * {@code keyRef}, {@code backend}, {@code region}, {@code bytes}, {@code latencyMicros}, {@code
 * outcome}, {@code principal}, {@code requestId}, {@code headerSha256}, with absent values as
 * {@code null}. It has no {@code seq}, {@code prev} or {@code hash}: a logging pipeline does not
 * keep a chain; use {@link JsonLinesAuditSink} for a tamper-evident record. Values are
 * JSON-escaped, so a caller-supplied principal or request id cannot break the line or forge
 * another entry.
 *
 * <p>Successful operations log at {@code INFO}, failed ones at {@code WARNING}. Thread-safe as the
 * logger is.
 */
public final class LoggingAuditSink implements AuditSink {
  /** The logger name used by {@link #LoggingAuditSink()}. */
  public static final String LOGGER_NAME = "com.plugsky.crypto.audit";

  private final System.Logger logger;

  /** Logs to {@code System.getLogger("com.plugsky.crypto.audit")}. */
  public LoggingAuditSink() {
    this(System.getLogger(LOGGER_NAME));
  }

  /** Logs to the given logger. */
  public LoggingAuditSink(System.Logger logger) {
    this.logger = Objects.requireNonNull(logger, "logger");
  }

  @Override
  public void record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    System.Logger.Level level =
        event.outcome() == AuditEvent.Outcome.SUCCESS
            ? System.Logger.Level.INFO
            : System.Logger.Level.WARNING;
    if (logger.isLoggable(level)) {
      logger.log(level, AuditLine.eventFields(new FlatJson.ObjectWriter(), event).end());
    }
  }
}
