package com.plugsky.crypto.pkcs11;

import com.plugsky.crypto.pkcs11.ffm.FfmHsm;
import com.plugsky.crypto.pkcs11.iaik.IaikHsm;
import com.plugsky.crypto.pkcs11.sunpkcs11.SunPkcs11Hsm;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.Objects;

/**
 * One token in an HSM, through one backend. Sessions and login are handled inside: the first call
 * opens a session and logs in with the configured {@link PinSource}, later calls borrow pooled
 * sessions, and a lost session or login is re-established once before a call fails.
 *
 * <p>Keys are named by {@link HsmKey} (label and/or id); a key that is missing or matched twice is
 * a {@link com.plugsky.crypto.KeyUnavailableException} or {@link
 * com.plugsky.crypto.ConfigurationException}. Failures are crypto-api's typed exceptions, with the
 * PKCS#11 code in the message and findable with {@link ReturnCode#of(Throwable)}. Implementations
 * are thread-safe.
 */
public interface Hsm extends AutoCloseable {

  /** Opens the token {@code config} names through the backend it selects. */
  static Hsm open(HsmConfig config) {
    Objects.requireNonNull(config, "config");
    return switch (config.backend()) {
      case FFM -> FfmHsm.open(config);
      case SUNPKCS11 -> SunPkcs11Hsm.open(config);
      case IAIK -> IaikHsm.open(config);
    };
  }

  /** What this backend can drive on this token. */
  Capabilities capabilities();

  /** Whether the token holds exactly one secret key matching {@code key}. */
  boolean contains(HsmKey key);

  /**
   * Destroys every object (secret key, private and public key, and the certificate a backend may
   * keep with a key pair) that {@code key} names in the token.
   *
   * @throws com.plugsky.crypto.KeyUnavailableException when the token holds none
   */
  void destroyKey(HsmKey key);

  /**
   * Generates an AES-256 key inside the token: persistent, private, sensitive and never
   * extractable, allowed to encrypt, decrypt, wrap and unwrap.
   *
   * @throws com.plugsky.crypto.InvalidInputException when a key with this label or id exists
   */
  void generateAesKey(HsmKey key);

  /**
   * Stores {@code value} (16, 24 or 32 bytes) as an AES key with the same attributes as {@link
   * #generateAesKey}: for tests and known-answer checks; production keys should be born in the HSM.
   */
  void importAesKey(HsmKey key, byte[] value);

  /** AES-GCM with a 128-bit tag inside the HSM; returns ciphertext followed by the tag. */
  byte[] encryptAesGcm(HsmKey key, byte[] iv, byte[] plaintext, byte[] aad);

  /**
   * Opens {@link #encryptAesGcm}'s output inside the HSM.
   *
   * @throws com.plugsky.crypto.AuthenticationFailedException when the tag does not verify
   */
  byte[] decryptAesGcm(HsmKey key, byte[] iv, byte[] ciphertextAndTag, byte[] aad);

  /**
   * Wraps {@code secret} (1..1024 bytes) under {@code kek} with CKM_AES_KEY_WRAP_PAD (RFC 5649):
   * the secret enters the token as a temporary session object that is destroyed right after.
   */
  byte[] wrapKeyPad(HsmKey kek, byte[] secret);

  /**
   * Unwraps {@link #wrapKeyPad}'s output into a temporary extractable session object, reads it out
   * and destroys it.
   *
   * @throws com.plugsky.crypto.AuthenticationFailedException when the integrity check fails
   */
  byte[] unwrapKeyPad(HsmKey kek, byte[] wrapped);

  /**
   * Generates a key pair of {@code type} inside the token, both objects named by {@code key}: the
   * private key persistent, private, sensitive, never extractable and allowed only to sign; the
   * public key allowed only to verify.
   *
   * @throws com.plugsky.crypto.InvalidInputException when a key pair with this label or id exists
   * @throws com.plugsky.crypto.ConfigurationException when the token or backend cannot make it (see
   *     {@link Capabilities#supports} with {@link KeyPairType#operation()})
   */
  void generateKeyPair(HsmKey key, KeyPairType type);

  /**
   * Signs {@code data} with {@code key}'s private key inside the HSM; the scheme hashes {@code
   * data}. Audited as {@code SIGN}.
   *
   * @throws com.plugsky.crypto.InvalidInputException when the key does not fit the algorithm
   */
  byte[] sign(HsmKey key, SignatureAlgorithm algorithm, byte[] data);

  /**
   * Whether {@code signature} signs {@code data} under {@code key}'s public key with {@code
   * algorithm}, checked by the HSM; a malformed signature is {@code false}.
   */
  boolean verify(HsmKey key, SignatureAlgorithm algorithm, byte[] data, byte[] signature);

  /**
   * Stores {@code publicKey} (P-256 or P-384) in the token as a session object named by {@code
   * key}, allowed only to verify, so that {@link #verify} checks signatures made elsewhere (e.g.
   * known-answer vectors) inside the HSM. It lasts until {@link #destroyKey} or until the session
   * that made it closes.
   *
   * @throws com.plugsky.crypto.InvalidInputException when the key is on another curve or a key
   *     with this label or id exists
   */
  void importEcPublicKey(HsmKey key, ECPublicKey publicKey);

  /**
   * The public half of {@code key}'s pair (an {@link java.security.interfaces.ECPublicKey} or
   * {@link java.security.interfaces.RSAPublicKey}), for verifying without the HSM.
   */
  PublicKey publicKey(HsmKey key);

  /**
   * Generates a 256-bit HMAC key inside the token: a generic secret (or, on a token without
   * CKM_GENERIC_SECRET_KEY_GEN, an AES key) that is persistent, private, sensitive, never
   * extractable and allowed only to sign and verify.
   *
   * @throws com.plugsky.crypto.InvalidInputException when a key with this label or id exists
   */
  void generateHmacKey(HsmKey key);

  /**
   * Stores {@code value} (16..256 bytes; tokens may ask for more, SoftHSM2 for at least 32) as an
   * HMAC key with the attributes of {@link #generateHmacKey}: for tests and known-answer checks.
   */
  void importHmacKey(HsmKey key, byte[] value);

  /** HMAC-SHA256 of {@code data} under {@code key}, computed in the HSM (32 bytes). */
  byte[] hmacSha256(HsmKey key, byte[] data);

  /**
   * Whether {@code mac} is the HMAC-SHA256 of {@code data} under {@code key}, checked in the HSM.
   */
  boolean verifyHmacSha256(HsmKey key, byte[] data, byte[] mac);

  /** {@code length} bytes from the token's random number generator. */
  byte[] random(int length);

  /** Returns this handle's sessions to the token; the module stays loaded for the JVM's life. */
  @Override
  void close();
}
