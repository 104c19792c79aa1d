package com.plugsky.crypto.pkcs11.check;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The outcome of one check of an {@link HsmCheck} run.
 *
 * @param name a stable identifier, e.g. {@code aes-gcm-kat}
 * @param status passed, failed or skipped
 * @param elapsed how long the check took
 * @param detail what was checked, or why it failed or was skipped; never key material or a PIN
 * @param opsPerSecond for checks that time an operation, the rate measured through the backend
 * @param vectors for checks that run test vector files, how each file fared
 */
public record CheckResult(
    String name,
    Status status,
    Duration elapsed,
    String detail,
    OptionalDouble opsPerSecond,
    List<VectorFileResult> vectors) {

  public CheckResult {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(elapsed, "elapsed");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(opsPerSecond, "opsPerSecond");
    vectors = List.copyOf(vectors);
  }

  /** A check that ran no vector file. */
  public CheckResult(
      String name, Status status, Duration elapsed, String detail, OptionalDouble opsPerSecond) {
    this(name, status, elapsed, detail, opsPerSecond, List.of());
  }

  /** How a check ended. */
  public enum Status {
    PASS,
    FAIL,
    /** Not run: the token or backend lacks what it needs, or an earlier check failed. */
    SKIP
  }
}
