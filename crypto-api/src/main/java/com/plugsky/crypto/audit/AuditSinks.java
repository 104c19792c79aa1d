package com.plugsky.crypto.audit;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/** Combinators for {@link AuditSink}s: fan-out to several, and shielding callers from failures. */
public final class AuditSinks {
  private static final System.Logger LOG = System.getLogger(LoggingAuditSink.LOGGER_NAME);

  private AuditSinks() {}

  /**
   * A sink that passes each event to every one of {@code sinks}, in order. All sinks see the event
   * even when one throws; the first exception is then rethrown with the later ones attached as
   * suppressed. Wrap the result (or single members) in {@link #failSafe} to swallow them.
   */
  public static AuditSink tee(AuditSink... sinks) {
    List<AuditSink> all = List.of(sinks);
    return switch (all.size()) {
      case 0 -> AuditSink.NONE;
      case 1 -> all.getFirst();
      default -> event -> {
        RuntimeException first = null;
        for (AuditSink sink : all) {
          try {
            sink.record(event);
          } catch (RuntimeException e) {
            if (first == null) {
              first = e;
            } else {
              first.addSuppressed(e);
            }
          }
        }
        if (first != null) {
          throw first;
        }
      };
    };
  }

  /**
   * A sink that never throws: a {@link RuntimeException} from {@code sink} drops the event, counts
   * it, and is reported on the {@code com.plugsky.crypto.audit} logger at {@code WARNING} (on the
   * 1st, 2nd, 4th, 8th, ... drop, so a broken disk cannot flood the log). Use it where losing an
   * audit event is preferable to failing the key operation.
   */
  public static FailSafe failSafe(AuditSink sink) {
    return new FailSafe(sink);
  }

  /** See {@link #failSafe}. Thread-safe when the wrapped sink is. */
  public static final class FailSafe implements AuditSink {
    private final AuditSink delegate;
    private final AtomicLong dropped = new AtomicLong();

    private FailSafe(AuditSink delegate) {
      this.delegate = Objects.requireNonNull(delegate, "sink");
    }

    @Override
    public void record(AuditEvent event) {
      try {
        delegate.record(event);
      } catch (RuntimeException e) {
        long n = dropped.incrementAndGet();
        if (Long.bitCount(n) == 1) {
          LOG.log(
              System.Logger.Level.WARNING,
              "audit sink failed; " + n + " event(s) dropped so far",
              e);
        }
      }
    }

    /** How many events the wrapped sink failed to record since this wrapper was made. */
    public long droppedEvents() {
      return dropped.get();
    }
  }
}
