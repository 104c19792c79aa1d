package com.plugsky.crypto.engine;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.aead.InsecureRawGcm;
import com.plugsky.crypto.engine.spi.AbstractAead;
import com.plugsky.crypto.primitive.SymmetricPrimitives;

/**
 * One implementation of the library's cryptography (SunJCE, Bouncy Castle FIPS, libcrypto via
 * FFM, ...). Obtain engines from {@link Engines}, which only hands out those that loaded and
 * passed their known-answer test.
 */
public interface AeadEngine {

  /** Short stable name, e.g. {@code jdk}, {@code bc-fips}, {@code native}. */
  String name();

  /** Whether this engine runs a FIPS 140-validated module in approved-only mode. */
  boolean isFipsApproved();

  /**
   * An AES-256-GCM {@link Aead} over a copy of {@code key} (32 bytes). The caller may zero its
   * array afterwards; closing the returned object destroys the copy.
   *
   * @throws com.plugsky.crypto.InvalidInputException when the key is not 32 bytes
   */
  Aead newAead(byte[] key);

  /**
   * AES-256-GCM under caller-chosen 96-bit nonces, for formats that never repeat a (key, nonce)
   * pair by construction (a key per message, a nonce per frame). See {@link InsecureNonceAead}.
   */
  default InsecureNonceAead newInsecureNonceAead(byte[] key) {
    Aead aead = newAead(key);
    if (aead instanceof AbstractAead engineAead) {
      return engineAead.insecureNonceView();
    }
    aead.close();
    throw new UnsupportedOperationException("engine " + name() + " has no caller-nonce AES-GCM");
  }

  /** Raw GCM with caller-chosen IVs, for conformance vectors only. */
  InsecureRawGcm insecureRawGcm();

  /** Key wrap, HMAC and HKDF on this engine. */
  SymmetricPrimitives primitives();
}
