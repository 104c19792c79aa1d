package com.plugsky.crypto.audit;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a key wrapper knows about an operation before running it; {@link #call} runs it, times it,
 * and records one {@link AuditEvent} with the outcome taken from how it ended.
 *
 * <pre>{@code
 * byte[] wrapped = AuditedOperation.of(Operation.WRAP, "aws-kms")
 *     .withKeyRef(keyRef.toString())
 *     .withRegion("eu-west-1")
 *     .withBytes(dataKey.length)
 *     .withRequestId(requestId)
 *     .call(sink, () -> kms.wrap(dataKey, context));
 * }</pre>
 *
 * <p>The event's timestamp is the wall-clock start; its latency is measured with {@link
 * System#nanoTime()}. An exception from the operation is rethrown unchanged after the event is
 * recorded. An exception from the sink propagates (the sink's policy: wrap it in {@link
 * AuditSinks#failSafe} to never fail an operation for its audit); if the operation itself failed,
 * the sink's exception is attached to the operation's as suppressed instead. Where a field is only
 * known afterwards (the header hash of a message being encrypted), time the call yourself and build
 * the event with {@link #event} and {@link #outcomeOf}.
 *
 * @param operation what is done
 * @param keyRef the key's URI
 * @param backend which backend serves it
 * @param region the backend's region or HSM member
 * @param bytes payload bytes processed (the data key's length for wrap/unwrap)
 * @param principal who asked
 * @param requestId the caller's correlation id
 * @param headerSha256 hex SHA-256 of the message header involved
 */
public record AuditedOperation(
    Operation operation,
    Optional<String> keyRef,
    String backend,
    Optional<String> region,
    long bytes,
    Optional<String> principal,
    Optional<String> requestId,
    Optional<String> headerSha256) {

  public AuditedOperation {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(headerSha256, "headerSha256");
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must not be negative");
    }
  }

  /** An operation on {@code backend} with every optional field empty and 0 bytes. */
  public static AuditedOperation of(Operation operation, String backend) {
    return new AuditedOperation(
        operation,
        Optional.empty(),
        backend,
        Optional.empty(),
        0,
        Optional.empty(),
        Optional.empty(),
        Optional.empty());
  }

  /** A copy with {@code keyRef} set (null clears it). */
  public AuditedOperation withKeyRef(String keyRef) {
    return new AuditedOperation(
        operation,
        Optional.ofNullable(keyRef),
        backend,
        region,
        bytes,
        principal,
        requestId,
        headerSha256);
  }

  /** A copy with {@code region} set (null clears it). */
  public AuditedOperation withRegion(String region) {
    return new AuditedOperation(
        operation,
        keyRef,
        backend,
        Optional.ofNullable(region),
        bytes,
        principal,
        requestId,
        headerSha256);
  }

  /** A copy with {@code bytes} set. */
  public AuditedOperation withBytes(long bytes) {
    return new AuditedOperation(
        operation, keyRef, backend, region, bytes, principal, requestId, headerSha256);
  }

  /** A copy with {@code principal} set (null clears it). */
  public AuditedOperation withPrincipal(String principal) {
    return new AuditedOperation(
        operation,
        keyRef,
        backend,
        region,
        bytes,
        Optional.ofNullable(principal),
        requestId,
        headerSha256);
  }

  /** A copy with {@code requestId} set (null clears it). */
  public AuditedOperation withRequestId(String requestId) {
    return new AuditedOperation(
        operation,
        keyRef,
        backend,
        region,
        bytes,
        principal,
        Optional.ofNullable(requestId),
        headerSha256);
  }

  /** A copy with {@code headerSha256} set (null clears it). */
  public AuditedOperation withHeaderSha256(String headerSha256) {
    return new AuditedOperation(
        operation,
        keyRef,
        backend,
        region,
        bytes,
        principal,
        requestId,
        Optional.ofNullable(headerSha256));
  }

  /** Runs {@code body}, records its event on {@code sink}, and returns its result. */
  public <T> T call(AuditSink sink, Supplier<T> body) {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(body, "body");
    Instant start = Instant.now();
    long t0 = System.nanoTime();
    T result;
    try {
      result = body.get();
    } catch (RuntimeException | Error e) {
      AuditEvent failed = event(start, Duration.ofNanos(System.nanoTime() - t0), outcomeOf(e));
      try {
        sink.record(failed);
      } catch (RuntimeException sinkFailure) {
        e.addSuppressed(sinkFailure);
      }
      throw e;
    }
    sink.record(event(start, Duration.ofNanos(System.nanoTime() - t0), Outcome.SUCCESS));
    return result;
  }

  /** Runs {@code body} and records its event on {@code sink}. */
  public void run(AuditSink sink, Runnable body) {
    Objects.requireNonNull(body, "body");
    call(
        sink,
        () -> {
          body.run();
          return null;
        });
  }

  /** The event for this operation, started at {@code timestamp}, that took {@code latency}. */
  public AuditEvent event(Instant timestamp, Duration latency, Outcome outcome) {
    return new AuditEvent(
        timestamp,
        operation,
        keyRef,
        backend,
        region,
        bytes,
        latency,
        outcome,
        principal,
        requestId,
        headerSha256);
  }

  /**
   * The outcome an operation that threw {@code failure} is recorded with: {@link
   * AuthenticationFailedException} as AUTHENTICATION_FAILED, {@link InvalidInputException} (and
   * so {@code MalformedCiphertextException}) as INVALID_INPUT, {@link KeyUnavailableException} as
   * KEY_UNAVAILABLE, {@link KeyAccessDeniedException} as ACCESS_DENIED, {@link
   * ConfigurationException} (and so {@code EngineUnavailableException}) as CONFIGURATION_ERROR,
   * anything else as ERROR.
   */
  public static Outcome outcomeOf(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    return switch (failure) {
      case AuthenticationFailedException _ -> Outcome.AUTHENTICATION_FAILED;
      case InvalidInputException _ -> Outcome.INVALID_INPUT;
      case KeyUnavailableException _ -> Outcome.KEY_UNAVAILABLE;
      case KeyAccessDeniedException _ -> Outcome.ACCESS_DENIED;
      case ConfigurationException _ -> Outcome.CONFIGURATION_ERROR;
      default -> Outcome.ERROR;
    };
  }
}
