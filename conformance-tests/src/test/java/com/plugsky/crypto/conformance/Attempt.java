package com.plugsky.crypto.conformance;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One engine call and how it ended, plus the verdicts the vector kinds need. Expected values in
 * failure details are public test-vector data, so printing them leaks nothing.
 */
sealed interface Attempt {

  /** The call returned. */
  record Returned(byte[] value) implements Attempt {}

  /** The call threw. */
  record Threw(RuntimeException exception) implements Attempt {}

  /** Runs {@code operation}, capturing what it returned or threw. */
  static Attempt of(Supplier<byte[]> operation) {
    try {
      return new Returned(operation.get());
    } catch (RuntimeException e) {
      return new Threw(e);
    }
  }

  /**
   * The call must return exactly {@code expected}. An {@link InvalidInputException} (the typed
   * "refused these parameters" error) is a skip when {@code documentedRefusal} names a reason this
   * engine refuses such input; any other exception is a failure.
   */
  default Outcome mustReturn(String what, byte[] expected, Optional<String> documentedRefusal) {
    return switch (this) {
      case Returned r when Arrays.equals(r.value(), expected) -> Outcome.pass();
      case Returned r -> Outcome.fail(what + " returned " + hex(r.value()) + ", expected " + hex(expected));
      case Threw t -> refusal(what, t.exception(), documentedRefusal);
    };
  }

  /**
   * This attempt with a returned value cut to its first {@code length} bytes (a MAC compared
   * against a truncated tag); a throw stays as it was.
   */
  default Attempt truncatedTo(int length) {
    return switch (this) {
      case Returned r when r.value().length > length -> new Returned(Arrays.copyOf(r.value(), length));
      default -> this;
    };
  }

  /**
   * The call must not hand back {@code forbidden} as a success: a typed {@link CryptoException}
   * passes, and so does a different return value (the vector's output was not produced). An
   * untyped exception fails: every refusal must be one of the library's typed errors. A refusal
   * that {@code documentedRefusal} explains is a skip, not a pass: the engine never looked at
   * what made the vector invalid.
   */
  default Outcome mustNotReturn(String what, byte[] forbidden, Optional<String> documentedRefusal) {
    return switch (this) {
      case Threw t when t.exception() instanceof InvalidInputException && documentedRefusal.isPresent() ->
          Outcome.skip(documentedRefusal.get());
      case Threw t when t.exception() instanceof CryptoException -> Outcome.pass();
      case Threw t -> Outcome.fail(what + " threw untyped " + describe(t.exception()));
      case Returned r when Arrays.equals(r.value(), forbidden) ->
          Outcome.fail(what + " accepted an invalid input and returned the vector's output " + hex(forbidden));
      case Returned r -> Outcome.pass();
    };
  }

  /**
   * The call must refuse with one of the library's typed errors: for decrypting or unwrapping an
   * invalid input, returning anything at all releases output that no check vouched for. A refusal
   * that {@code documentedRefusal} explains is a skip.
   */
  default Outcome mustRefuse(String what, Optional<String> documentedRefusal) {
    return switch (this) {
      case Threw t when t.exception() instanceof InvalidInputException && documentedRefusal.isPresent() ->
          Outcome.skip(documentedRefusal.get());
      case Threw t when t.exception() instanceof CryptoException -> Outcome.pass();
      case Threw t -> Outcome.fail(what + " threw untyped " + describe(t.exception()));
      case Returned r -> Outcome.fail(what + " accepted an invalid input and returned " + hex(r.value()));
    };
  }

  /**
   * The call must fail its integrity check with {@link AuthenticationFailedException}. An
   * {@link InvalidInputException} refusal is a skip when documented (it says nothing about the tag check), a failure
   * otherwise; returning anything is a failure.
   */
  default Outcome mustFailAuthentication(String what, Optional<String> documentedRefusal) {
    return switch (this) {
      case Threw t when t.exception() instanceof AuthenticationFailedException -> Outcome.pass();
      case Threw t -> refusal(what, t.exception(), documentedRefusal);
      case Returned r -> Outcome.fail(what + " accepted a forged input and returned " + hex(r.value()));
    };
  }

  /** Whether the call threw one of the library's typed exceptions. */
  default boolean refusedWithTypedException() {
    return this instanceof Threw t && t.exception() instanceof CryptoException;
  }

  private static Outcome refusal(String what, RuntimeException e, Optional<String> documentedRefusal) {
    if (e instanceof InvalidInputException && documentedRefusal.isPresent()) {
      return Outcome.skip(documentedRefusal.get());
    }
    return Outcome.fail(what + " threw " + (e instanceof CryptoException ? "" : "untyped ") + describe(e));
  }

  private static String describe(Throwable e) {
    return e.getClass().getName() + ": " + e.getMessage();
  }

  private static String hex(byte[] bytes) {
    String hex = HexFormat.of().formatHex(bytes);
    return hex.length() <= 96 ? hex : hex.substring(0, 96) + "...(" + bytes.length + " bytes)";
  }
}
