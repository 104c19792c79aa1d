package com.plugsky.crypto.tls.hsm;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import io.netty.handler.ssl.OpenSslPrivateKeyMethod;
import java.security.SignatureException;
import java.util.Map;
import javax.net.ssl.SSLEngine;

/**
 * Signs TLS 1.3 CertificateVerify input inside the HSM. BoringSSL passes the unhashed input and the
 * TLS signature scheme it chose (ECDSA on P-256 or P-384 with the curve's hash, or RSA-PSS with
 * SHA-256/384); the HSM hashes and signs, and ECDSA's r || s becomes DER.
 */
final class HsmPrivateKeyMethod implements OpenSslPrivateKeyMethod {
  /** TLS 1.3 signature schemes (RFC 8446 4.2.3) the HSM API has; Netty's values are not constants. */
  private static final Map<Integer, SignatureAlgorithm> SCHEMES =
      Map.of(
          SSL_SIGN_ECDSA_SECP256R1_SHA256, SignatureAlgorithm.ECDSA_SHA256,
          SSL_SIGN_ECDSA_SECP384R1_SHA384, SignatureAlgorithm.ECDSA_SHA384,
          SSL_SIGN_RSA_PSS_RSAE_SHA256, SignatureAlgorithm.RSA_PSS_SHA256,
          SSL_SIGN_RSA_PSS_RSAE_SHA384, SignatureAlgorithm.RSA_PSS_SHA384);

  private final Hsm hsm;
  private final HsmKey key;

  HsmPrivateKeyMethod(Hsm hsm, HsmKey key) {
    this.hsm = hsm;
    this.key = key;
  }

  @Override
  public byte[] sign(SSLEngine engine, int signatureAlgorithm, byte[] input) throws Exception {
    SignatureAlgorithm algorithm = SCHEMES.get(signatureAlgorithm);
    if (algorithm == null) {
      throw new SignatureException(
          String.format(
              "the HSM key %s cannot sign with TLS signature scheme 0x%04x", key, signatureAlgorithm));
    }
    byte[] signature = hsm.sign(key, algorithm, input);
    return algorithm.isRsa() ? signature : EcdsaSignatures.p1363ToDer(signature);
  }

  @Override
  public byte[] decrypt(SSLEngine engine, byte[] input) throws Exception {
    throw new SignatureException("TLS 1.3 never asks a server key to decrypt");
  }
}
