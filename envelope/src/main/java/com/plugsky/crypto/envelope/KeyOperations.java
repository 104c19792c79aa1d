package com.plugsky.crypto.envelope;

import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.audit.AuditedOperation;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrappers;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.Bytes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Wrap and unwrap calls to the key wrappers, each timed and reported to the audit sink with the
 * caller's principal and request id and the SHA-256 of the header involved. A wrap happens before
 * its header exists, so its event is held as a {@link Pending} and recorded once the header is
 * known.
 */
final class KeyOperations {
  private final Map<KeyRefScheme, KeyWrapper> configured;
  private final Map<KeyRefScheme, KeyWrapper> discovered = new ConcurrentHashMap<>();
  private final AuditSink sink;
  private final Supplier<String> principal;
  private final Supplier<String> requestId;

  KeyOperations(
      Map<KeyRefScheme, KeyWrapper> configured,
      AuditSink sink,
      Supplier<String> principal,
      Supplier<String> requestId) {
    this.configured = Map.copyOf(configured);
    this.sink = sink;
    this.principal = principal;
    this.requestId = requestId;
  }

  /** A wrap that happened, waiting for its header's hash. */
  record Pending(AuditedOperation operation, Instant started, Duration latency) {}

  /**
   * Where one message's wrap events wait for its header: a new list, or with no sink, which holds
   * no events, an empty one that stays empty.
   */
  List<Pending> newPending() {
    return sink == AuditSink.NONE ? List.of() : new ArrayList<>();
  }

  /** Wraps {@code dataKey} under {@code keyRef}; a failure is recorded at once and rethrown. */
  Header.Entry wrap(
      KeyRef keyRef, byte[] dataKey, EncryptionContext context, List<Pending> pending) {
    AuditedOperation operation = describe(Operation.WRAP, keyRef, dataKey.length);
    Instant started = operation == null ? null : Instant.now();
    long t0 = operation == null ? 0 : System.nanoTime();
    WrappedKey wrapped;
    try {
      wrapped = wrapperFor(keyRef).wrap(keyRef, dataKey, context);
    } catch (RuntimeException e) {
      recordFailure(operation, started, t0, e);
      throw e;
    }
    hold(pending, operation, started, t0);
    return new Header.Entry(keyRef.toString(), wrapped.bytes());
  }

  /**
   * A fresh data key from {@code keyRef}'s wrapper, wrapped under it: one backend call where the
   * backend generates and wraps together (AWS KMS GenerateDataKey). The caller closes it.
   */
  DataKey generate(KeyRef keyRef, EncryptionContext context, List<Pending> pending) {
    AuditedOperation operation =
        describe(Operation.GENERATE_DATA_KEY, keyRef, Format.DATA_KEY_LENGTH);
    Instant started = operation == null ? null : Instant.now();
    long t0 = operation == null ? 0 : System.nanoTime();
    DataKey dataKey;
    try {
      dataKey = wrapperFor(keyRef).generateDataKey(keyRef, Format.DATA_KEY_LENGTH, context);
    } catch (RuntimeException e) {
      recordFailure(operation, started, t0, e);
      throw e;
    }
    hold(pending, operation, started, t0);
    return dataKey;
  }

  /**
   * Moves the wrapping {@code entry} (under {@code from}) to {@code target}, a KEK of the same
   * scheme, through the backend's own rewrap (AWS KMS ReEncrypt keeps the data key server-side).
   */
  Header.Entry rewrap(
      KeyRef from,
      Header.Entry entry,
      KeyRef target,
      EncryptionContext context,
      List<Pending> pending) {
    AuditedOperation operation = describe(Operation.REWRAP, target, Format.DATA_KEY_LENGTH);
    Instant started = operation == null ? null : Instant.now();
    long t0 = operation == null ? 0 : System.nanoTime();
    WrappedKey moved;
    try {
      moved =
          wrapperFor(target).rewrap(new WrappedKey(from, entry.wrappedUnshared()), target, context);
    } catch (RuntimeException e) {
      recordFailure(operation, started, t0, e);
      throw e;
    }
    hold(pending, operation, started, t0);
    return new Header.Entry(target.toString(), moved.bytes());
  }

  private static void hold(
      List<Pending> pending, AuditedOperation operation, Instant started, long t0) {
    if (operation != null) {
      pending.add(new Pending(operation, started, Duration.ofNanos(System.nanoTime() - t0)));
    }
  }

  /** Records the held wrap events against the header they ended up in. */
  void recordWraps(List<Pending> pending, Header header) {
    if (pending.isEmpty() || sink == AuditSink.NONE) {
      return;
    }
    record(pending, header.sha256Hex());
  }

  /** {@link #recordWraps(List, Header)} for a header known by its bytes at the message start. */
  void recordWraps(List<Pending> pending, byte[] message, int headerLength) {
    if (pending.isEmpty() || sink == AuditSink.NONE) {
      return;
    }
    record(pending, Header.sha256Hex(message, headerLength));
  }

  /**
   * Records held wrap events of a message that was never finished (a later wrap, the header or
   * writing it failed): the backend did wrap the data key, so the trail says so, naming no header.
   */
  void recordWrapsOfUnfinishedMessage(List<Pending> pending) {
    if (pending.isEmpty() || sink == AuditSink.NONE) {
      return;
    }
    record(pending, null);
  }

  private void record(List<Pending> pending, String hash) {
    for (Pending p : pending) {
      sink.record(
          p.operation().withHeaderSha256(hash).event(p.started(), p.latency(), Outcome.SUCCESS));
    }
  }

  /** Unwraps one entry of {@code header}; the event is recorded at once, success or not. */
  byte[] unwrap(KeyRef keyRef, Header.Entry entry, EncryptionContext context, String headerSha256) {
    AuditedOperation operation = describe(Operation.UNWRAP, keyRef, Format.DATA_KEY_LENGTH);
    if (operation != null) {
      operation = operation.withHeaderSha256(headerSha256);
    }
    Instant started = operation == null ? null : Instant.now();
    long t0 = operation == null ? 0 : System.nanoTime();
    byte[] dataKey;
    try {
      dataKey = wrapperFor(keyRef).unwrap(new WrappedKey(keyRef, entry.wrappedUnshared()), context);
    } catch (RuntimeException e) {
      recordFailure(operation, started, t0, e);
      throw e;
    }
    try {
      if (operation != null) {
        sink.record(
            operation.event(started, Duration.ofNanos(System.nanoTime() - t0), Outcome.SUCCESS));
      }
    } catch (RuntimeException sinkFailure) {
      Bytes.zero(dataKey);
      throw sinkFailure;
    }
    return dataKey;
  }

  /** Records that a rewrap produced {@code header}, opened under {@code openedBy}. */
  void recordRewrap(KeyRef openedBy, Header header, Instant started, long t0) {
    if (sink == AuditSink.NONE) {
      return;
    }
    AuditEvent event =
        describe(Operation.REWRAP, openedBy, Format.DATA_KEY_LENGTH)
            .withHeaderSha256(header.sha256Hex())
            .event(started, Duration.ofNanos(System.nanoTime() - t0), Outcome.SUCCESS);
    sink.record(event);
  }

  /** A header hash for unwrap events, or null when nobody listens. */
  String headerHashForAudit(Header header) {
    return sink == AuditSink.NONE ? null : header.sha256Hex();
  }

  /** The wrappers this Envelope was given or found for the KeyRefs it may use. */
  KeyWrapper wrapperFor(KeyRef keyRef) {
    KeyWrapper wrapper = configured.get(keyRef.scheme());
    if (wrapper != null) {
      return wrapper;
    }
    // The Envelope audits every call itself; a wrapper found here reports nowhere, so that each
    // operation is recorded once.
    return discovered.computeIfAbsent(
        keyRef.scheme(), scheme -> KeyWrappers.forKeyRef(keyRef, AuditSink.NONE));
  }

  /** The operation's audit description, or null when nobody listens (nothing built per call). */
  private AuditedOperation describe(Operation operation, KeyRef keyRef, long bytes) {
    if (sink == AuditSink.NONE) {
      return null;
    }
    return AuditedOperation.of(operation, keyRef.scheme().schemeName())
        .withKeyRef(keyRef.toString())
        .withRegion(keyRef.region().orElse(null))
        .withBytes(bytes)
        .withPrincipal(principal.get())
        .withRequestId(requestId.get());
  }

  private void recordFailure(
      AuditedOperation operation, Instant started, long t0, RuntimeException e) {
    if (operation == null) {
      return;
    }
    try {
      sink.record(
          operation.event(
              started, Duration.ofNanos(System.nanoTime() - t0), AuditedOperation.outcomeOf(e)));
    } catch (RuntimeException sinkFailure) {
      e.addSuppressed(sinkFailure);
    }
  }

  /**
   * The failure to report when no entry could be unwrapped: a retryable one if any (another try may
   * succeed), else the first, with the others attached.
   */
  static RuntimeException combine(List<RuntimeException> failures) {
    RuntimeException chosen =
        failures.stream()
            .filter(f -> f instanceof CryptoException c && c.isRetryable())
            .findFirst()
            .orElse(failures.getFirst());
    for (RuntimeException f : failures) {
      if (f != chosen) {
        chosen.addSuppressed(f);
      }
    }
    return chosen;
  }
}
