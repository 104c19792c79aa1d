package com.plugsky.crypto.engine;

import java.util.Optional;

/**
 * What {@link Engines} found out about one engine: whether it is usable, and if not, why.
 *
 * @param name the engine's name
 * @param fipsApproved whether it runs in FIPS approved-only mode (false when unavailable)
 * @param unavailabilityCause empty when the engine loaded and passed its known-answer test
 */
public record EngineStatus(String name, boolean fipsApproved, Optional<Throwable> unavailabilityCause) {

  public boolean isAvailable() {
    return unavailabilityCause.isEmpty();
  }

  /**
   * Whether the engine loaded but failed its known-answer test: a defect, unlike an engine whose
   * jar or native library is missing.
   */
  public boolean failedSelfTest() {
    return unavailabilityCause.filter(SelfTestFailedException.class::isInstance).isPresent();
  }

  /** One line for operators: {@code jdk: available}, {@code bc-fips: unavailable (reason)}. */
  public String describe() {
    return unavailabilityCause
        .map(cause -> name + ": unavailable (" + cause.getMessage() + ")")
        .orElse(name + ": available" + (fipsApproved ? ", FIPS approved-only" : ""));
  }
}
