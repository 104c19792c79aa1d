package com.plugsky.crypto;

/** The backend refused this caller the key operation (permissions, disabled or revoked key). */
public final class KeyAccessDeniedException extends CryptoException {
  public KeyAccessDeniedException(String message) {
    super(message);
  }

  public KeyAccessDeniedException(String message, Throwable cause) {
    super(message, cause);
  }
}
