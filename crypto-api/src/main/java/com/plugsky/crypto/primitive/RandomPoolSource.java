package com.plugsky.crypto.primitive;

/**
 * A NIST SP 800-90A DRBG that refills {@link CryptoRandom}'s pools faster than the JDK's, found
 * with {@link java.util.ServiceLoader} (the native module provides libcrypto's). A provider whose
 * library is missing throws from its constructor and is skipped. Implementations are thread-safe.
 */
public interface RandomPoolSource {
  /** Names the DRBG for reports, for example the library and its version. */
  String description();

  /**
   * Fills {@code into} with output for values that become public (nonces, message ids).
   *
   * @return false when the DRBG failed; {@code into} then holds nothing to use
   */
  boolean nextPublicBytes(byte[] into);

  /**
   * Fills {@code into} with output for secret keys, from a DRBG instance kept apart from the
   * public one where the library has one.
   *
   * @return false when the DRBG failed; {@code into} then holds nothing to use
   */
  boolean nextPrivateBytes(byte[] into);
}
