package com.plugsky.crypto.pkcs11;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one backend can do with one token: the token's own mechanism list, and which of the
 * library's operations the backend can actually drive on it (a token may list a mechanism that a
 * backend cannot call the way the token wants, e.g. SunPKCS11 passes CKM_AES_KEY_WRAP_PAD an IV
 * that SoftHSM2 refuses).
 *
 * @param backend the backend's name, e.g. {@code ffm}
 * @param token the token's label
 * @param mechanisms the token's mechanisms by PKCS#11 name ({@code CKM_AES_GCM}), or {@code
 *     CKM_0x...} for vendor ones
 * @param unavailable each operation the backend cannot drive here, with the reason
 */
public record Capabilities(
    String backend,
    String token,
    SortedSet<String> mechanisms,
    Map<Operation, String> unavailable) {

  public Capabilities {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(token, "token");
    mechanisms = Collections.unmodifiableSortedSet(new TreeSet<>(mechanisms));
    unavailable = Map.copyOf(unavailable);
  }

  /** Whether {@code operation} works on this token through this backend. */
  public boolean supports(Operation operation) {
    return !unavailable.containsKey(operation);
  }

  /** The operations of {@link Hsm} whose support differs between tokens and backends. */
  public enum Operation {
    /** {@link Hsm#encryptAesGcm} and {@link Hsm#decryptAesGcm}. */
    AES_GCM,
    /** {@link Hsm#wrapKeyPad} and {@link Hsm#unwrapKeyPad}. */
    AES_KEY_WRAP_PAD,
    /** EC P-256 key pairs: {@link Hsm#generateKeyPair} and ECDSA through {@link Hsm#sign}. */
    EC_P256,
    /** EC P-384 key pairs: {@link Hsm#generateKeyPair} and ECDSA through {@link Hsm#sign}. */
    EC_P384,
    /** RSA key pairs: {@link Hsm#generateKeyPair} and RSA-PSS/PKCS#1 through {@link Hsm#sign}. */
    RSA,
    /** {@link Hsm#generateHmacKey}, {@link Hsm#hmacSha256} and {@link Hsm#verifyHmacSha256}. */
    HMAC_SHA256,
    /** Finding and creating keys by {@code CKA_ID}. */
    KEY_ID,
    /** {@link Hsm#random}. */
    RANDOM
  }
}
