package com.plugsky.crypto;

/**
 * The library is set up in a way that cannot work: an engine that is unavailable or failed its
 * self-test, a missing key wrapper for a KeyRef scheme, a FIPS policy that excludes every engine.
 */
public sealed class ConfigurationException extends CryptoException permits EngineUnavailableException {
  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
