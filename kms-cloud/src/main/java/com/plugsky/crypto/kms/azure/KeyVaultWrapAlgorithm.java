package com.plugsky.crypto.kms.azure;

import com.azure.security.keyvault.keys.cryptography.models.KeyWrapAlgorithm;
import java.util.Arrays;
import java.util.Optional;

/**
 * The Key Vault wrapKey algorithm that protects the intermediate key: the one the key's type
 * supports. Recorded in every wrapped key, so unwrapping always uses the algorithm that wrapped.
 */
public enum KeyVaultWrapAlgorithm {
  /**
   * RSAES-OAEP with SHA-256 and MGF1-SHA-256, for RSA and RSA-HSM keys (Key Vault, Managed HSM).
   */
  RSA_OAEP_256(1, KeyWrapAlgorithm.RSA_OAEP_256),
  /** AES key wrap (RFC 3394) with a 256-bit key, for Managed HSM oct-HSM keys. */
  A256KW(2, KeyWrapAlgorithm.A256KW);

  private final int id;
  private final KeyWrapAlgorithm sdkAlgorithm;

  KeyVaultWrapAlgorithm(int id, KeyWrapAlgorithm sdkAlgorithm) {
    this.id = id;
    this.sdkAlgorithm = sdkAlgorithm;
  }

  /** The JOSE name Key Vault uses on the wire, e.g. {@code RSA-OAEP-256}. */
  public String joseName() {
    return sdkAlgorithm.toString();
  }

  /** The byte that names this algorithm in a wrapped key. */
  int id() {
    return id;
  }

  KeyWrapAlgorithm sdkAlgorithm() {
    return sdkAlgorithm;
  }

  /** Whether {@code length} bytes can be this algorithm's wrapping of a 32-byte key. */
  boolean acceptsWrappedLength(int length) {
    return switch (this) {
      case RSA_OAEP_256 -> length == 256 || length == 384 || length == 512;
      case A256KW -> length == 40;
    };
  }

  /**
   * Parses a JOSE name ({@code RSA-OAEP-256}, {@code A256KW}) or a constant name, ignoring case.
   */
  static Optional<KeyVaultWrapAlgorithm> parse(String name) {
    return Arrays.stream(values())
        .filter(a -> a.joseName().equalsIgnoreCase(name) || a.name().equalsIgnoreCase(name))
        .findFirst();
  }

  static Optional<KeyVaultWrapAlgorithm> byId(int id) {
    return Arrays.stream(values()).filter(a -> a.id == id).findFirst();
  }
}
