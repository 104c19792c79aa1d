package com.plugsky.crypto;

/**
 * A named engine was asked for but is not usable here; the cause says why (missing jar, native
 * library not found, failed known-answer test).
 */
public final class EngineUnavailableException extends ConfigurationException {
  public EngineUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
