package com.plugsky.crypto;

/**
 * Root of every failure this library reports. Unchecked, so that callers handle the kinds they
 * care about (usually {@link AuthenticationFailedException} and {@link KeyUnavailableException})
 * and let the rest propagate.
 *
 * <p>Messages name what failed and why; they never contain key material, plaintext, or secret
 * configuration values.
 */
public abstract sealed class CryptoException extends RuntimeException
    permits AuthenticationFailedException,
        InvalidInputException,
        KeyUnavailableException,
        KeyAccessDeniedException,
        ConfigurationException {

  protected CryptoException(String message) {
    super(message);
  }

  protected CryptoException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether repeating the same call later may succeed (backend down, throttled, timed out). */
  public boolean isRetryable() {
    return false;
  }
}
