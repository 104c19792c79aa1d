package com.plugsky.crypto.kms.call;

import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.audit.AuditedOperation;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.DataKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/** Reports each wrapper call, successful or not, to the audit sink as one event. */
public final class CallAudit {
  private final AuditSink sink;
  private final String backend;

  public CallAudit(AuditSink sink, String backend) {
    this.sink = sink;
    this.backend = backend;
  }

  /**
   * Runs {@code call} and records its outcome with {@code bytes}, the data key's length. A sink
   * that fails after a failed call is attached to that failure rather than hiding it. When the sink
   * fails after a call that yielded a {@link DataKey}, the key is closed (zeroed) before the sink's
   * failure propagates, since the caller never receives it.
   */
  public <T> T record(Operation operation, KeyRef keyRef, int bytes, Supplier<T> call) {
    return run(operation, keyRef, bytes, call, result -> bytes, CallAudit::closeDataKey);
  }

  private static void closeDataKey(Object result) {
    if (result instanceof DataKey dataKey) {
      dataKey.close();
    }
  }

  /**
   * Runs {@code call}, which yields a data key in the clear, and records its outcome with the key's
   * length (0 when the call fails). When the sink fails after a successful call the key is passed
   * to {@code discard} (which zeroes it) before the sink's failure propagates.
   */
  public <T> T record(
      Operation operation,
      KeyRef keyRef,
      Supplier<T> call,
      ToIntFunction<T> bytesOf,
      Consumer<T> discard) {
    return run(operation, keyRef, 0, call, bytesOf, discard);
  }

  private <T> T run(
      Operation operation,
      KeyRef keyRef,
      int failureBytes,
      Supplier<T> call,
      ToIntFunction<T> bytesOf,
      Consumer<T> discard) {
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    T result;
    try {
      result = call.get();
    } catch (RuntimeException failure) {
      try {
        sink.record(
            event(operation, keyRef, failureBytes, started, startNanos, AuditedOperation.outcomeOf(failure)));
      } catch (RuntimeException sinkFailure) {
        failure.addSuppressed(sinkFailure);
      }
      throw failure;
    }
    try {
      sink.record(
          event(
              operation, keyRef, bytesOf.applyAsInt(result), started, startNanos, Outcome.SUCCESS));
    } catch (RuntimeException sinkFailure) {
      discard.accept(result);
      throw sinkFailure;
    }
    return result;
  }

  private AuditEvent event(
      Operation operation,
      KeyRef keyRef,
      int bytes,
      Instant started,
      long startNanos,
      Outcome outcome) {
    return new AuditEvent(
        started,
        operation,
        Optional.of(keyRef.toString()),
        backend,
        keyRef.region(),
        bytes,
        Duration.ofNanos(System.nanoTime() - startNanos),
        outcome,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }
}
