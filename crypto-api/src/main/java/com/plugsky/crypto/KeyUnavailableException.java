package com.plugsky.crypto;

/**
 * The key-holding backend (HSM, KMS, key file) could not be reached or answered with a transient
 * error. Retryable: the same call may succeed later.
 */
public final class KeyUnavailableException extends CryptoException {
  public KeyUnavailableException(String message) {
    super(message);
  }

  public KeyUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean isRetryable() {
    return true;
  }
}
