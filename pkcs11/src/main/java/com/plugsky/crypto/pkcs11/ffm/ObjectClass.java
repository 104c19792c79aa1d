package com.plugsky.crypto.pkcs11.ffm;

/** The CKO_ classes of the objects this backend finds and makes. */
enum ObjectClass {
  CERTIFICATE(0x1, "certificate"),
  PUBLIC_KEY(0x2, "public key"),
  PRIVATE_KEY(0x3, "private key"),
  SECRET_KEY(0x4, "secret key");

  final long value;
  final String description;

  ObjectClass(long value, String description) {
    this.value = value;
    this.description = description;
  }
}
