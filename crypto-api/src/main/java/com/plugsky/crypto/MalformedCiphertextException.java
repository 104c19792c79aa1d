package com.plugsky.crypto;

/**
 * A ciphertext (or wrapped key, or message header) is structurally invalid: truncated, wrong
 * length, unknown version. Distinct from {@link AuthenticationFailedException}, which means the
 * structure was fine but the tag did not verify.
 */
public final class MalformedCiphertextException extends InvalidInputException {
  public MalformedCiphertextException(String message) {
    super(message);
  }

  public MalformedCiphertextException(String message, Throwable cause) {
    super(message, cause);
  }
}
