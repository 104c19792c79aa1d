package com.plugsky.crypto.pkcs11.sunpkcs11;

import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * A minimal self-signed X.509 v3 certificate for a key pair made in the token. SunPKCS11's KeyStore
 * lists a private key only together with a certificate, so each key pair this backend generates is
 * stored with one: subject and issuer {@code CN=<label>}, valid from now with no end
 * (99991231235959Z, RFC 5280 4.1.2.5), signed by the new private key inside the token. It names the
 * key; it vouches for nothing.
 */
final class PlaceholderCertificate {
  private static final byte[] ECDSA_WITH_SHA256 =
      HexFormat.of().parseHex("300a06082a8648ce3d040302");
  private static final byte[] SHA256_WITH_RSA =
      HexFormat.of().parseHex("300d06092a864886f70d01010b0500");
  private static final byte[] COMMON_NAME = HexFormat.of().parseHex("0603550403");
  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");

  private PlaceholderCertificate() {}

  static X509Certificate of(String label, KeyPair pair, Provider provider)
      throws GeneralSecurityException {
    boolean rsa = pair.getPublic().getAlgorithm().equals("RSA");
    byte[] algorithm = rsa ? SHA256_WITH_RSA : ECDSA_WITH_SHA256;
    byte[] serial = CryptoRandom.bytes(8);
    serial[0] &= 0x7F;
    serial[0] |= 0x01;
    byte[] name =
        der(
            0x30,
            der(0x31, der(0x30, COMMON_NAME, der(0x0C, label.getBytes(StandardCharsets.UTF_8)))));
    String notBefore = ZonedDateTime.now(ZoneOffset.UTC).format(UTC_TIME);
    byte[] validity =
        der(
            0x30,
            der(0x17, notBefore.getBytes(StandardCharsets.US_ASCII)),
            der(0x18, "99991231235959Z".getBytes(StandardCharsets.US_ASCII)));
    byte[] tbs =
        der(
            0x30,
            der(0xA0, der(0x02, new byte[] {2})),
            der(0x02, serial),
            algorithm,
            name,
            validity,
            name,
            pair.getPublic().getEncoded());
    Signature signer = Signature.getInstance(rsa ? "SHA256withRSA" : "SHA256withECDSA", provider);
    signer.initSign(pair.getPrivate());
    signer.update(tbs);
    byte[] signature = signer.sign();
    byte[] bitString = new byte[signature.length + 1];
    System.arraycopy(signature, 0, bitString, 1, signature.length);
    byte[] certificate = der(0x30, tbs, algorithm, der(0x03, bitString));
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(certificate));
  }

  /** A DER element with tag {@code tag} whose content is {@code parts} in order. */
  private static byte[] der(int tag, byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      content.writeBytes(part);
    }
    int length = content.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length);
    }
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }
}
