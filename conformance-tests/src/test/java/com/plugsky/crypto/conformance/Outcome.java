package com.plugsky.crypto.conformance;

import java.util.Optional;

/**
 * What happened when one vector ran on one engine.
 *
 * <p>{@link Pass} and {@link Skip} may carry a note, used to record which way an {@code
 * acceptable} Wycheproof case went.
 */
public sealed interface Outcome {

  Optional<String> note();

  /** The engine did what the vector requires. */
  record Pass(Optional<String> note) implements Outcome {}

  /** The engine did something else; {@code detail} says what differed. */
  record Fail(String detail) implements Outcome {
    @Override
    public Optional<String> note() {
      return Optional.empty();
    }
  }

  /** The engine refused the case for a documented reason (see {@link KnownRefusals}). */
  record Skip(String reason, Optional<String> note) implements Outcome {}

  static Outcome pass() {
    return new Pass(Optional.empty());
  }

  static Outcome fail(String detail) {
    return new Fail(detail);
  }

  static Outcome skip(String reason) {
    return new Skip(reason, Optional.empty());
  }

  /** This outcome with {@code note} attached (failures keep their detail only). */
  default Outcome noted(String note) {
    return switch (this) {
      case Pass p -> new Pass(Optional.of(note));
      case Skip s -> new Skip(s.reason(), Optional.of(note));
      case Fail f -> f;
    };
  }

  /**
   * Merges the outcomes of the checks one vector needs (e.g. encrypt and decrypt): a failure
   * wins, then a skip, then a pass.
   */
  static Outcome all(Outcome... outcomes) {
    StringBuilder failures = new StringBuilder();
    Outcome skip = null;
    for (Outcome outcome : outcomes) {
      switch (outcome) {
        case Fail f -> failures.append(failures.isEmpty() ? "" : "; ").append(f.detail());
        case Skip s -> skip = skip == null ? s : skip;
        case Pass p -> {}
      }
    }
    if (!failures.isEmpty()) {
      return fail(failures.toString());
    }
    return skip != null ? skip : pass();
  }
}
