package com.plugsky.crypto.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One key operation, as recorded for auditors. Holds no plaintext and no key material: the key is
 * named by its KeyRef URI, the data by its length and the SHA-256 of the ciphertext header.
 *
 * @param timestamp when the operation started
 * @param operation what was done
 * @param keyRef the key-encryption key's URI (normalised form), or empty for keyless operations
 * @param backend which backend served it, e.g. {@code local}, {@code sunpkcs11}, {@code aws-kms}
 * @param region the backend's region or HSM member, when it has one
 * @param bytes payload bytes processed (the data key's length for wrap/unwrap)
 * @param latency how long the operation took
 * @param outcome success or the kind of failure
 * @param principal who asked, as the caller identified them
 * @param requestId the caller's correlation id
 * @param headerSha256 hex SHA-256 of the message header the operation belongs to
 */
public record AuditEvent(
    Instant timestamp,
    Operation operation,
    Optional<String> keyRef,
    String backend,
    Optional<String> region,
    long bytes,
    Duration latency,
    Outcome outcome,
    Optional<String> principal,
    Optional<String> requestId,
    Optional<String> headerSha256) {

  public AuditEvent {
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(principal, "principal");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(headerSha256, "headerSha256");
  }

  /** The key operations that are audited. */
  public enum Operation {
    WRAP,
    UNWRAP,
    GENERATE_DATA_KEY,
    REWRAP,
    SIGN,
    VERIFY,
    HSM_LOGIN
  }

  /** How the operation ended; failures are named by kind, never by message. */
  public enum Outcome {
    SUCCESS,
    AUTHENTICATION_FAILED,
    INVALID_INPUT,
    KEY_UNAVAILABLE,
    ACCESS_DENIED,
    CONFIGURATION_ERROR,
    ERROR
  }
}
