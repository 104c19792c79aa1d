package com.plugsky.crypto.tls.hsm;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import io.netty.handler.ssl.OpenSslPrivateKeyMethod;
import java.security.SignatureException;
import javax.net.ssl.SSLEngine;

/**
 * Signs TLS 1.3 CertificateVerify input inside the HSM. BoringSSL passes the unhashed input and the
 * TLS signature scheme it chose (ECDSA on P-256 or P-384 with the curve's hash, or RSA-PSS with
 * SHA-256/384); the HSM hashes and signs, and ECDSA's r || s becomes DER.
 */
final class HsmPrivateKeyMethod implements OpenSslPrivateKeyMethod {
  private final Hsm hsm;
  private final HsmKey key;

  HsmPrivateKeyMethod(Hsm hsm, HsmKey key) {
    this.hsm = hsm;
    this.key = key;
  }

  @Override
  public byte[] sign(SSLEngine engine, int signatureAlgorithm, byte[] input) throws Exception {
    SignatureAlgorithm algorithm = algorithm(signatureAlgorithm);
    if (algorithm == null) {
      throw new SignatureException(
          String.format(
              "the HSM key %s cannot sign with TLS signature scheme 0x%04x", key, signatureAlgorithm));
    }
    byte[] signature = hsm.sign(key, algorithm, input);
    return algorithm.isRsa() ? signature : EcdsaSignatures.p1363ToDer(signature);
  }

  /**
   * The HSM algorithm for a TLS 1.3 signature scheme (RFC 8446 4.2.3), null for one the HSM API
   * lacks. Netty's scheme values are not compile-time constants, hence no switch.
   */
  private static SignatureAlgorithm algorithm(int scheme) {
    if (scheme == SSL_SIGN_ECDSA_SECP256R1_SHA256) {
      return SignatureAlgorithm.ECDSA_SHA256;
    }
    if (scheme == SSL_SIGN_ECDSA_SECP384R1_SHA384) {
      return SignatureAlgorithm.ECDSA_SHA384;
    }
    if (scheme == SSL_SIGN_RSA_PSS_RSAE_SHA256) {
      return SignatureAlgorithm.RSA_PSS_SHA256;
    }
    if (scheme == SSL_SIGN_RSA_PSS_RSAE_SHA384) {
      return SignatureAlgorithm.RSA_PSS_SHA384;
    }
    return null;
  }

  @Override
  public byte[] decrypt(SSLEngine engine, byte[] input) throws Exception {
    throw new SignatureException("TLS 1.3 never asks a server key to decrypt");
  }
}
