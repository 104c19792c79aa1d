package com.plugsky.crypto.pkcs11;

/** The asymmetric key pairs {@link Hsm#generateKeyPair} makes inside a token. */
public enum KeyPairType {
  EC_P256(Capabilities.Operation.EC_P256),
  EC_P384(Capabilities.Operation.EC_P384),
  RSA_2048(Capabilities.Operation.RSA),
  RSA_3072(Capabilities.Operation.RSA);

  private final Capabilities.Operation operation;

  KeyPairType(Capabilities.Operation operation) {
    this.operation = operation;
  }

  /** The capability a token and backend need for this key pair. */
  public Capabilities.Operation operation() {
    return operation;
  }

  /** Whether this is an RSA key pair. */
  public boolean isRsa() {
    return operation == Capabilities.Operation.RSA;
  }

  /** The RSA modulus length, or the EC field length, in bits. */
  public int bits() {
    return switch (this) {
      case EC_P256 -> 256;
      case EC_P384 -> 384;
      case RSA_2048 -> 2048;
      case RSA_3072 -> 3072;
    };
  }
}
