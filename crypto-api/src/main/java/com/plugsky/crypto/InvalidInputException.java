package com.plugsky.crypto;

/**
 * The caller passed something this library cannot use: a key of the wrong size, a ciphertext too
 * short to hold a nonce and tag, a malformed KeyRef URI, an out-of-range length or offset.
 */
public sealed class InvalidInputException extends CryptoException permits MalformedCiphertextException {
  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
