package com.plugsky.crypto.pkcs11;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every {@code CKR_} return value of PKCS#11 up to v3.2, with the library exception it becomes.
 *
 * <p>A failed call is reported as one of crypto-api's typed exceptions whose message names the
 * function and the code (e.g. {@code C_Login failed: CKR_PIN_INCORRECT (0xA0)}); the code itself
 * travels in the exception's cause, where {@link #of(Throwable)} finds it. The kinds:
 *
 * <ul>
 *   <li>{@link KeyUnavailableException} (retryable): the device, token or session went away or is
 *       busy, e.g. {@code CKR_DEVICE_REMOVED}, {@code CKR_SESSION_HANDLE_INVALID}, {@code
 *       CKR_GENERAL_ERROR}, and any code this table does not know (vendor codes of network HSMs are
 *       mostly connection losses);
 *   <li>{@link KeyAccessDeniedException}: the token refused this caller, e.g. {@code
 *       CKR_PIN_INCORRECT}, {@code CKR_KEY_FUNCTION_NOT_PERMITTED};
 *   <li>{@link AuthenticationFailedException}: the data did not authenticate, e.g. {@code
 *       CKR_AEAD_DECRYPT_FAILED}, {@code CKR_WRAPPED_KEY_INVALID};
 *   <li>{@link MalformedCiphertextException}: a ciphertext or wrapped key of impossible length;
 *   <li>{@link InvalidInputException}: an argument the token cannot use;
 *   <li>{@link ConfigurationException}: the module, token or key cannot do what was asked, e.g.
 *       {@code CKR_MECHANISM_INVALID}, {@code CKR_SLOT_ID_INVALID}.
 * </ul>
 *
 * <p>Values follow the OASIS headers. Some older copies of {@code pkcs11.h} (p11-kit's among them)
 * number the five codes from {@code CKR_EXCEEDED_MAX_ITERATIONS} on 0x1C0..0x1C4 instead of the
 * standard 0x1B5..0x1B9; the standard values are used here.
 */
public enum ReturnCode {
  CKR_OK(0x0, Kind.UNAVAILABLE),
  CKR_CANCEL(0x1, Kind.UNAVAILABLE),
  CKR_HOST_MEMORY(0x2, Kind.UNAVAILABLE),
  CKR_SLOT_ID_INVALID(0x3, Kind.CONFIGURATION),
  CKR_GENERAL_ERROR(0x5, Kind.UNAVAILABLE),
  CKR_FUNCTION_FAILED(0x6, Kind.UNAVAILABLE),
  CKR_ARGUMENTS_BAD(0x7, Kind.INVALID_INPUT),
  CKR_NO_EVENT(0x8, Kind.UNAVAILABLE),
  CKR_NEED_TO_CREATE_THREADS(0x9, Kind.CONFIGURATION),
  CKR_CANT_LOCK(0xA, Kind.CONFIGURATION),
  CKR_ATTRIBUTE_READ_ONLY(0x10, Kind.INVALID_INPUT),
  CKR_ATTRIBUTE_SENSITIVE(0x11, Kind.DENIED),
  CKR_ATTRIBUTE_TYPE_INVALID(0x12, Kind.INVALID_INPUT),
  CKR_ATTRIBUTE_VALUE_INVALID(0x13, Kind.INVALID_INPUT),
  CKR_ACTION_PROHIBITED(0x1B, Kind.DENIED),
  CKR_DATA_INVALID(0x20, Kind.INVALID_INPUT),
  CKR_DATA_LEN_RANGE(0x21, Kind.INVALID_INPUT),
  CKR_DEVICE_ERROR(0x30, Kind.UNAVAILABLE),
  CKR_DEVICE_MEMORY(0x31, Kind.UNAVAILABLE),
  CKR_DEVICE_REMOVED(0x32, Kind.UNAVAILABLE),
  CKR_ENCRYPTED_DATA_INVALID(0x40, Kind.AUTHENTICATION),
  CKR_ENCRYPTED_DATA_LEN_RANGE(0x41, Kind.MALFORMED),
  CKR_AEAD_DECRYPT_FAILED(0x42, Kind.AUTHENTICATION),
  CKR_FUNCTION_CANCELED(0x50, Kind.UNAVAILABLE),
  CKR_FUNCTION_NOT_PARALLEL(0x51, Kind.CONFIGURATION),
  CKR_FUNCTION_NOT_SUPPORTED(0x54, Kind.CONFIGURATION),
  CKR_KEY_HANDLE_INVALID(0x60, Kind.UNAVAILABLE),
  CKR_KEY_SIZE_RANGE(0x62, Kind.INVALID_INPUT),
  CKR_KEY_TYPE_INCONSISTENT(0x63, Kind.CONFIGURATION),
  CKR_KEY_NOT_NEEDED(0x64, Kind.CONFIGURATION),
  CKR_KEY_CHANGED(0x65, Kind.UNAVAILABLE),
  CKR_KEY_NEEDED(0x66, Kind.CONFIGURATION),
  CKR_KEY_INDIGESTIBLE(0x67, Kind.CONFIGURATION),
  CKR_KEY_FUNCTION_NOT_PERMITTED(0x68, Kind.DENIED),
  CKR_KEY_NOT_WRAPPABLE(0x69, Kind.DENIED),
  CKR_KEY_UNEXTRACTABLE(0x6A, Kind.DENIED),
  CKR_MECHANISM_INVALID(0x70, Kind.CONFIGURATION),
  CKR_MECHANISM_PARAM_INVALID(0x71, Kind.INVALID_INPUT),
  CKR_OBJECT_HANDLE_INVALID(0x82, Kind.UNAVAILABLE),
  CKR_OPERATION_ACTIVE(0x90, Kind.UNAVAILABLE),
  CKR_OPERATION_NOT_INITIALIZED(0x91, Kind.UNAVAILABLE),
  CKR_PIN_INCORRECT(0xA0, Kind.DENIED),
  CKR_PIN_INVALID(0xA1, Kind.DENIED),
  CKR_PIN_LEN_RANGE(0xA2, Kind.DENIED),
  CKR_PIN_EXPIRED(0xA3, Kind.DENIED),
  CKR_PIN_LOCKED(0xA4, Kind.DENIED),
  CKR_SESSION_CLOSED(0xB0, Kind.UNAVAILABLE),
  CKR_SESSION_COUNT(0xB1, Kind.UNAVAILABLE),
  CKR_SESSION_HANDLE_INVALID(0xB3, Kind.UNAVAILABLE),
  CKR_SESSION_PARALLEL_NOT_SUPPORTED(0xB4, Kind.CONFIGURATION),
  CKR_SESSION_READ_ONLY(0xB5, Kind.DENIED),
  CKR_SESSION_EXISTS(0xB6, Kind.CONFIGURATION),
  CKR_SESSION_READ_ONLY_EXISTS(0xB7, Kind.CONFIGURATION),
  CKR_SESSION_READ_WRITE_SO_EXISTS(0xB8, Kind.CONFIGURATION),
  CKR_SIGNATURE_INVALID(0xC0, Kind.AUTHENTICATION),
  CKR_SIGNATURE_LEN_RANGE(0xC1, Kind.MALFORMED),
  CKR_TEMPLATE_INCOMPLETE(0xD0, Kind.INVALID_INPUT),
  CKR_TEMPLATE_INCONSISTENT(0xD1, Kind.INVALID_INPUT),
  CKR_TOKEN_NOT_PRESENT(0xE0, Kind.UNAVAILABLE),
  CKR_TOKEN_NOT_RECOGNIZED(0xE1, Kind.CONFIGURATION),
  CKR_TOKEN_WRITE_PROTECTED(0xE2, Kind.DENIED),
  CKR_UNWRAPPING_KEY_HANDLE_INVALID(0xF0, Kind.UNAVAILABLE),
  CKR_UNWRAPPING_KEY_SIZE_RANGE(0xF1, Kind.CONFIGURATION),
  CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT(0xF2, Kind.CONFIGURATION),
  CKR_USER_ALREADY_LOGGED_IN(0x100, Kind.CONFIGURATION),
  CKR_USER_NOT_LOGGED_IN(0x101, Kind.UNAVAILABLE),
  CKR_USER_PIN_NOT_INITIALIZED(0x102, Kind.DENIED),
  CKR_USER_TYPE_INVALID(0x103, Kind.CONFIGURATION),
  CKR_USER_ANOTHER_ALREADY_LOGGED_IN(0x104, Kind.DENIED),
  CKR_USER_TOO_MANY_TYPES(0x105, Kind.CONFIGURATION),
  CKR_WRAPPED_KEY_INVALID(0x110, Kind.AUTHENTICATION),
  CKR_WRAPPED_KEY_LEN_RANGE(0x112, Kind.MALFORMED),
  CKR_WRAPPING_KEY_HANDLE_INVALID(0x113, Kind.UNAVAILABLE),
  CKR_WRAPPING_KEY_SIZE_RANGE(0x114, Kind.CONFIGURATION),
  CKR_WRAPPING_KEY_TYPE_INCONSISTENT(0x115, Kind.CONFIGURATION),
  CKR_RANDOM_SEED_NOT_SUPPORTED(0x120, Kind.CONFIGURATION),
  CKR_RANDOM_NO_RNG(0x121, Kind.CONFIGURATION),
  CKR_DOMAIN_PARAMS_INVALID(0x130, Kind.INVALID_INPUT),
  CKR_CURVE_NOT_SUPPORTED(0x140, Kind.CONFIGURATION),
  CKR_BUFFER_TOO_SMALL(0x150, Kind.INVALID_INPUT),
  CKR_SAVED_STATE_INVALID(0x160, Kind.INVALID_INPUT),
  CKR_INFORMATION_SENSITIVE(0x170, Kind.DENIED),
  CKR_STATE_UNSAVEABLE(0x180, Kind.CONFIGURATION),
  CKR_CRYPTOKI_NOT_INITIALIZED(0x190, Kind.UNAVAILABLE),
  CKR_CRYPTOKI_ALREADY_INITIALIZED(0x191, Kind.CONFIGURATION),
  CKR_MUTEX_BAD(0x1A0, Kind.CONFIGURATION),
  CKR_MUTEX_NOT_LOCKED(0x1A1, Kind.CONFIGURATION),
  CKR_NEW_PIN_MODE(0x1B0, Kind.DENIED),
  CKR_NEXT_OTP(0x1B1, Kind.DENIED),
  CKR_EXCEEDED_MAX_ITERATIONS(0x1B5, Kind.CONFIGURATION),
  CKR_FIPS_SELF_TEST_FAILED(0x1B6, Kind.CONFIGURATION),
  CKR_LIBRARY_LOAD_FAILED(0x1B7, Kind.CONFIGURATION),
  CKR_PIN_TOO_WEAK(0x1B8, Kind.DENIED),
  CKR_PUBLIC_KEY_INVALID(0x1B9, Kind.INVALID_INPUT),
  CKR_FUNCTION_REJECTED(0x200, Kind.DENIED),
  CKR_TOKEN_RESOURCE_EXCEEDED(0x201, Kind.UNAVAILABLE),
  CKR_OPERATION_CANCEL_FAILED(0x202, Kind.CONFIGURATION),
  CKR_KEY_EXHAUSTED(0x203, Kind.DENIED),
  CKR_PENDING(0x204, Kind.UNAVAILABLE),
  CKR_SESSION_ASYNC_NOT_SUPPORTED(0x205, Kind.CONFIGURATION),
  CKR_SEED_RANDOM_REQUIRED(0x206, Kind.CONFIGURATION),
  CKR_OPERATION_NOT_VALIDATED(0x207, Kind.CONFIGURATION),
  CKR_TOKEN_NOT_INITIALIZED(0x208, Kind.CONFIGURATION),
  CKR_PARAMETER_SET_NOT_SUPPORTED(0x209, Kind.CONFIGURATION);

  /** The first code a vendor may define for itself. */
  public static final long CKR_VENDOR_DEFINED = 0x8000_0000L;

  private static final Map<Long, ReturnCode> BY_VALUE =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(ReturnCode::value, Function.identity()));

  private final long value;
  private final Kind kind;

  ReturnCode(long value, Kind kind) {
    this.value = value;
    this.kind = kind;
  }

  /** The numeric {@code CK_RV}. */
  public long value() {
    return value;
  }

  /**
   * Whether C_Login answered that the PIN itself is refused ({@code CKR_PIN_INCORRECT}, {@code
   * CKR_PIN_INVALID}, {@code CKR_PIN_LEN_RANGE}, {@code CKR_PIN_LOCKED}): the same PIN can only
   * fail again, and each further try may count towards locking the token.
   */
  public boolean refusesPin() {
    return this == CKR_PIN_INCORRECT
        || this == CKR_PIN_INVALID
        || this == CKR_PIN_LEN_RANGE
        || this == CKR_PIN_LOCKED;
  }

  /** The code with this {@code CK_RV} value, if it is a standard one. */
  public static Optional<ReturnCode> forValue(long value) {
    return Optional.ofNullable(BY_VALUE.get(value));
  }

  /** The code a PKCS#11 failure carries, looked up along {@code failure}'s causes. */
  public static Optional<ReturnCode> of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CallFailure call) {
        return forValue(call.value);
      }
    }
    return Optional.empty();
  }

  /** {@code CKR_PIN_INCORRECT (0xA0)}, or {@code CKR_VENDOR_DEFINED+0x12} for a vendor's code. */
  public static String describe(long value) {
    ReturnCode known = BY_VALUE.get(value);
    if (known != null) {
      return known.name() + " (0x" + Long.toHexString(value).toUpperCase(Locale.ROOT) + ")";
    }
    if (value >= CKR_VENDOR_DEFINED) {
      return "CKR_VENDOR_DEFINED+0x"
          + Long.toHexString(value - CKR_VENDOR_DEFINED).toUpperCase(Locale.ROOT);
    }
    return "unknown CK_RV 0x" + Long.toHexString(value).toUpperCase(Locale.ROOT);
  }

  /**
   * The exception for {@code function} having returned {@code value}: {@code what} says what was
   * being done (token, key label), and must hold no secret.
   */
  public static CryptoException failure(String function, long value, String what) {
    ReturnCode known = BY_VALUE.get(value);
    return failure(function, value, what, known == null ? Kind.UNAVAILABLE : known.kind);
  }

  private static CryptoException failure(String function, long value, String what, Kind kind) {
    String message =
        function + " failed: " + describe(value) + (what.isEmpty() ? "" : " (" + what + ")");
    return kind.exception(message, new CallFailure(value, describe(value)));
  }

  /** The library exception kinds PKCS#11 failures are sorted into. */
  private enum Kind {
    UNAVAILABLE(KeyUnavailableException::new),
    DENIED(KeyAccessDeniedException::new),
    AUTHENTICATION(AuthenticationFailedException::new),
    MALFORMED(MalformedCiphertextException::new),
    INVALID_INPUT(InvalidInputException::new),
    CONFIGURATION(ConfigurationException::new);

    private final BiFunction<String, Throwable, CryptoException> factory;

    Kind(BiFunction<String, Throwable, CryptoException> factory) {
      this.factory = factory;
    }

    CryptoException exception(String message, Throwable cause) {
      return factory.apply(message, cause);
    }
  }

  /** Carries the raw code as the typed exception's cause. */
  private static final class CallFailure extends RuntimeException {
    private final long value;

    CallFailure(long value, String description) {
      super(description, null, false, false);
      this.value = value;
    }
  }
}
