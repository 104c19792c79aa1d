package com.plugsky.crypto.audit;

/**
 * Receives every audited key operation. Implementations must be thread-safe and should not throw:
 * a failing audit sink must not decide whether data gets encrypted (log and carry on, or block,
 * is the sink's policy to document).
 */
@FunctionalInterface
public interface AuditSink {

  /** Discards events; the default where the caller configured no sink. */
  AuditSink NONE = event -> {};

  void record(AuditEvent event);
}
