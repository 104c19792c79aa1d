package com.plugsky.crypto.kms.gcp;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRef;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/** Reports each wrapper call, successful or not, to the audit sink as one event. */
final class CallAudit {
  private final AuditSink sink;
  private final String backend;

  CallAudit(AuditSink sink, String backend) {
    this.sink = sink;
    this.backend = backend;
  }

  /**
   * Runs {@code call} and records its outcome with {@code bytes}, the data key's length. A sink
   * that fails after a failed call is attached to that failure rather than hiding it.
   */
  <T> T record(Operation operation, KeyRef keyRef, int bytes, Supplier<T> call) {
    return run(operation, keyRef, bytes, call, result -> bytes, result -> {});
  }

  /**
   * Runs {@code call}, which yields a data key in the clear, and records its outcome with the key's
   * length (0 when the call fails). When the sink fails after a successful call the key is passed
   * to {@code discard} (which zeroes it) before the sink's failure propagates.
   */
  <T> T record(
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
            event(operation, keyRef, failureBytes, started, startNanos, outcomeOf(failure)));
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

  private static Outcome outcomeOf(RuntimeException failure) {
    return switch (failure) {
      case AuthenticationFailedException e -> Outcome.AUTHENTICATION_FAILED;
      case InvalidInputException e -> Outcome.INVALID_INPUT;
      case KeyUnavailableException e -> Outcome.KEY_UNAVAILABLE;
      case KeyAccessDeniedException e -> Outcome.ACCESS_DENIED;
      case ConfigurationException e -> Outcome.CONFIGURATION_ERROR;
      default -> Outcome.ERROR;
    };
  }
}
