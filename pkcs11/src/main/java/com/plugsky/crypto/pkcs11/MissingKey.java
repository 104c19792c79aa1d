package com.plugsky.crypto.pkcs11;

import com.plugsky.crypto.KeyUnavailableException;

/**
 * Tells a key the token does not hold apart from the other {@link KeyUnavailableException}s (a
 * device, token or session that went away): the token answered, and holds no object by that name.
 * Still retryable, as replication may bring the key later; {@code HsmPool} asks its other members
 * without benching the one that answered.
 */
public final class MissingKey {
  private MissingKey() {}

  /** The exception every backend throws for a key the token does not hold. */
  public static KeyUnavailableException failure(String message) {
    return new KeyUnavailableException(message, new Marker());
  }

  /** Whether {@code failure}, or one of its causes, says that the token holds no such key. */
  public static boolean is(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof Marker) {
        return true;
      }
    }
    return false;
  }

  /** Marks the cause chain; carries no message and no stack. */
  private static final class Marker extends RuntimeException {
    Marker() {
      super("no such key", null, false, false);
    }
  }
}
