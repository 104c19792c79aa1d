package com.plugsky.crypto.tls.hsm;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmKey;
import io.netty.handler.ssl.OpenSslPrivateKeyMethod;
import java.security.SignatureException;
import javax.net.ssl.SSLEngine;

/**
 * Signs TLS 1.3 CertificateVerify input inside the HSM. BoringSSL passes the unhashed input and the
 * TLS signature scheme; the HSM hashes and signs, and ECDSA's r || s becomes DER.
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
    if (signatureAlgorithm == SSL_SIGN_ECDSA_SECP256R1_SHA256) {
      return EcdsaSignatures.p1363ToDer(hsm.signEcdsaSha256(key, input));
    }
    throw new SignatureException(
        String.format(
            "the HSM key %s cannot sign with TLS signature scheme 0x%04x", key, signatureAlgorithm));
  }

  @Override
  public byte[] decrypt(SSLEngine engine, byte[] input) throws Exception {
    throw new SignatureException("TLS 1.3 never asks a server key to decrypt");
  }
}
