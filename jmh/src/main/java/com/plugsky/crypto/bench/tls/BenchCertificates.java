package com.plugsky.crypto.bench.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Certificates for the benchmarks, from the JDK alone (the benchmark classpath carries bc-fips,
 * which a second Bouncy Castle would clash with): a P-256 CA that issues leaves for any public key,
 * including one held in an HSM. Minimal DER: v3, a serial, CN names, a DNS SAN, ECDSA-SHA256.
 */
final class BenchCertificates {
  private static final byte[] ECDSA_WITH_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02};
  private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
  private static final byte[] SUBJECT_ALT_NAME = {0x06, 0x03, 0x55, 0x1d, 0x11};
  private static final byte[] BASIC_CONSTRAINTS = {0x06, 0x03, 0x55, 0x1d, 0x13};
  private static final byte[] TRUE = {0x01, 0x01, (byte) 0xff};
  private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'");

  private final KeyPair caKeys;
  private final X509Certificate caCertificate;
  private long serial = 1;

  BenchCertificates() throws GeneralSecurityException {
    caKeys = keyPair("ec-p256");
    caCertificate = issue("bench-ca", caKeys.getPublic(), true);
  }

  X509Certificate ca() {
    return caCertificate;
  }

  /** A key pair of {@code type}: {@code ec-p256} or {@code rsa-2048}. */
  static KeyPair keyPair(String type) throws GeneralSecurityException {
    KeyPairGenerator generator;
    if (type.equals("ec-p256")) {
      generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
    } else if (type.equals("rsa-2048")) {
      generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
    } else {
      throw new IllegalArgumentException("unknown key type " + type);
    }
    return generator.generateKeyPair();
  }

  /** The chain (leaf, CA) for a "localhost" server with {@code publicKey}. */
  List<X509Certificate> serverChain(PublicKey publicKey) throws GeneralSecurityException {
    return List.of(issue("localhost", publicKey, false), caCertificate);
  }

  private X509Certificate issue(String commonName, PublicKey publicKey, boolean ca)
      throws GeneralSecurityException {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    byte[] extension =
        ca
            ? sequence(BASIC_CONSTRAINTS, TRUE, tlv(0x04, sequence(TRUE)))
            : sequence(SUBJECT_ALT_NAME, tlv(0x04, sequence(tlv(0x82, ascii("localhost")))));
    byte[] tbs =
        sequence(
            tlv(0xa0, tlv(0x02, new byte[] {2})),
            tlv(0x02, BigInteger.valueOf(serial++).toByteArray()),
            sequence(ECDSA_WITH_SHA256),
            name("bench-ca"),
            sequence(utcTime(now.minusHours(1)), utcTime(now.plusDays(30))),
            name(commonName),
            publicKey.getEncoded(),
            tlv(0xa3, sequence(extension)));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(caKeys.getPrivate());
    signer.update(tbs);
    byte[] signature = signer.sign();
    byte[] bitString = new byte[signature.length + 1];
    System.arraycopy(signature, 0, bitString, 1, signature.length);
    byte[] certificate = sequence(tbs, sequence(ECDSA_WITH_SHA256), tlv(0x03, bitString));
    return (X509Certificate)
        CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(certificate));
  }

  private static byte[] name(String commonName) {
    return sequence(tlv(0x31, sequence(COMMON_NAME, tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
  }

  private static byte[] utcTime(ZonedDateTime time) {
    return tlv(0x17, ascii(UTC_TIME.format(time)));
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] sequence(byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      content.writeBytes(part);
    }
    return tlv(0x30, content.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 4);
    out.write(tag);
    int length = value.length;
    if (length < 0x80) {
      out.write(length);
    } else if (length < 0x100) {
      out.write(0x81);
      out.write(length);
    } else {
      out.write(0x82);
      out.write(length >> 8);
      out.write(length & 0xff);
    }
    out.writeBytes(value);
    return out.toByteArray();
  }
}
