package com.plugsky.crypto.pkcs11;

import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Optional;

/**
 * Signature schemes {@link Hsm#sign} runs inside a token. The data is hashed as part of the scheme
 * (by the token where it offers the combined mechanism); ECDSA signatures are r || s (IEEE P1363),
 * RSA-PSS uses MGF1 with the same hash and a salt as long as the hash.
 */
public enum SignatureAlgorithm {
  ECDSA_SHA256("SHA-256", "SHA256withECDSAinP1363Format", false),
  ECDSA_SHA384("SHA-384", "SHA384withECDSAinP1363Format", false),
  RSA_PSS_SHA256("SHA-256", "RSASSA-PSS", true),
  RSA_PSS_SHA384("SHA-384", "RSASSA-PSS", true),
  RSA_PKCS1_SHA256("SHA-256", "SHA256withRSA", true);

  private final String digest;
  private final String jcaName;
  private final boolean rsa;

  SignatureAlgorithm(String digest, String jcaName, boolean rsa) {
    this.digest = digest;
    this.jcaName = jcaName;
    this.rsa = rsa;
  }

  /** The JCA name of the hash, e.g. {@code SHA-256}. */
  public String digest() {
    return digest;
  }

  /** The hash length in bytes. */
  public int digestLength() {
    return digest.equals("SHA-256") ? 32 : 48;
  }

  /**
   * The JCA {@link java.security.Signature} name that produces and checks the same bytes; use it
   * with {@link #jcaParameters()} to verify without the HSM.
   */
  public String jcaName() {
    return jcaName;
  }

  /** The parameters {@link #jcaName()} needs: the PSS ones for RSA-PSS. */
  public Optional<AlgorithmParameterSpec> jcaParameters() {
    if (this != RSA_PSS_SHA256 && this != RSA_PSS_SHA384) {
      return Optional.empty();
    }
    MGF1ParameterSpec mgf =
        this == RSA_PSS_SHA256 ? MGF1ParameterSpec.SHA256 : MGF1ParameterSpec.SHA384;
    return Optional.of(new PSSParameterSpec(digest, "MGF1", mgf, digestLength(), 1));
  }

  /** Whether this scheme takes an RSA key (else an EC key). */
  public boolean isRsa() {
    return rsa;
  }
}
