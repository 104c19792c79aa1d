package com.plugsky.crypto.keyref;

/** The kinds of key-encryption key a {@link KeyRef} can name, one per backend family. */
public enum KeyRefScheme {
  /** A software key in a local key file: for development and tests. */
  LOCAL("local"),
  /** An object in an HSM or token, named by an RFC 7512 PKCS#11 URI. */
  PKCS11("pkcs11"),
  /** An AWS KMS key, by ARN, alias or key id. */
  AWS_KMS("aws-kms"),
  /** An Azure Key Vault or Managed HSM key, by its key URL. */
  AZURE_KV("azure-kv"),
  /** A HashiCorp Vault transit key, by mount path and key name. */
  VAULT_TRANSIT("vault-transit"),
  /** A Google Cloud KMS crypto key, by resource name. */
  GCP_KMS("gcp-kms");

  private final String name;
  private final String prefix;

  KeyRefScheme(String name) {
    this.name = name;
    this.prefix = name + ":";
  }

  /** The URI scheme name without the colon, e.g. {@code aws-kms}. */
  public String schemeName() {
    return name;
  }

  /** What a URI of this scheme starts with, e.g. {@code aws-kms:}. */
  public String prefix() {
    return prefix;
  }
}
