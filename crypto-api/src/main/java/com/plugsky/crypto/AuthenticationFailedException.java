package com.plugsky.crypto;

/**
 * The data failed authentication: a wrong key, a forged or corrupted tag or header, a wrong
 * associated data or encryption context. No plaintext is released when this is thrown.
 */
public final class AuthenticationFailedException extends CryptoException {
  public AuthenticationFailedException(String message) {
    super(message);
  }

  public AuthenticationFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
