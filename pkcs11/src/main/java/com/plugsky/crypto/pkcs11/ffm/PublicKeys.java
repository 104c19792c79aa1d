package com.plugsky.crypto.pkcs11.ffm;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;

/** Turns a token's public key attributes into JDK public keys, for every backend. */
public final class PublicKeys {
  /** DER of the OID 1.2.840.10045.3.1.7 (secp256r1), the CKA_EC_PARAMS of a P-256 key. */
  static final byte[] P256_OID = {
    0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x03, 0x01, 0x07
  };

  /** DER of the OID 1.3.132.0.34 (secp384r1), the CKA_EC_PARAMS of a P-384 key. */
  static final byte[] P384_OID = {0x06, 0x05, 0x2B, (byte) 0x81, 0x04, 0x00, 0x22};

  private PublicKeys() {}

  /** The CKA_EC_PARAMS naming the curve of a P-256 ({@code bits} 256) or P-384 key. */
  public static byte[] ecParameters(int bits) {
    return switch (bits) {
      case 256 -> P256_OID.clone();
      case 384 -> P384_OID.clone();
      default -> throw new IllegalArgumentException("no named curve of " + bits + " bits here");
    };
  }

  /**
   * The EC public key with CKA_EC_PARAMS {@code parameters} (P-256 or P-384) and CKA_EC_POINT
   * {@code ecPoint}: an uncompressed point (04 || X || Y), DER-wrapped in an OCTET STRING as
   * PKCS#11 v2.40 asks, or bare as some modules return it.
   */
  public static PublicKey ec(byte[] parameters, byte[] ecPoint, String what) {
    String curve;
    int fieldBytes;
    if (Arrays.equals(parameters, P256_OID)) {
      curve = "secp256r1";
      fieldBytes = 32;
    } else if (Arrays.equals(parameters, P384_OID)) {
      curve = "secp384r1";
      fieldBytes = 48;
    } else {
      throw new ConfigurationException("the EC key " + what + " is on neither P-256 nor P-384");
    }
    int uncompressed = 1 + 2 * fieldBytes;
    byte[] point =
        ecPoint.length == uncompressed + 2 && ecPoint[0] == 0x04 && ecPoint[1] == uncompressed
            ? Arrays.copyOfRange(ecPoint, 2, ecPoint.length)
            : ecPoint;
    if (point.length != uncompressed || point[0] != 0x04) {
      throw new ConfigurationException(
          "the EC point of " + what + " is not an uncompressed " + curve + " point");
    }
    try {
      AlgorithmParameters algorithmParameters = AlgorithmParameters.getInstance("EC");
      algorithmParameters.init(new ECGenParameterSpec(curve));
      ECParameterSpec spec = algorithmParameters.getParameterSpec(ECParameterSpec.class);
      ECPoint w =
          new ECPoint(
              new BigInteger(1, Arrays.copyOfRange(point, 1, 1 + fieldBytes)),
              new BigInteger(1, Arrays.copyOfRange(point, 1 + fieldBytes, uncompressed)));
      return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException("the EC point of " + what + " is not on " + curve, e);
    }
  }

  /** 256 or 384: the curve of {@code key}, which must be P-256 or P-384. */
  public static int ecBits(ECPublicKey key) {
    int bits = key.getParams().getCurve().getField().getFieldSize();
    if (bits != 256 && bits != 384) {
      throw new InvalidInputException("an EC public key must be on P-256 or P-384");
    }
    try {
      AlgorithmParameters named = AlgorithmParameters.getInstance("EC");
      named.init(new ECGenParameterSpec(bits == 256 ? "secp256r1" : "secp384r1"));
      ECParameterSpec spec = named.getParameterSpec(ECParameterSpec.class);
      if (!spec.getCurve().equals(key.getParams().getCurve())
          || !spec.getGenerator().equals(key.getParams().getGenerator())
          || !spec.getOrder().equals(key.getParams().getOrder())) {
        throw new InvalidInputException("an EC public key must be on P-256 or P-384");
      }
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException("the JDK knows no P-" + bits + " curve", e);
    }
    return bits;
  }

  /** The CKA_EC_POINT of {@code key}: its uncompressed point (04 || X || Y), DER-wrapped. */
  public static byte[] ecPoint(ECPublicKey key) {
    int fieldBytes = ecBits(key) / 8;
    int uncompressed = 1 + 2 * fieldBytes;
    byte[] encoded = new byte[2 + uncompressed];
    encoded[0] = 0x04;
    encoded[1] = (byte) uncompressed;
    encoded[2] = 0x04;
    unsigned(key.getW().getAffineX(), encoded, 3, fieldBytes);
    unsigned(key.getW().getAffineY(), encoded, 3 + fieldBytes, fieldBytes);
    return encoded;
  }

  private static void unsigned(BigInteger value, byte[] out, int offset, int length) {
    byte[] bytes = value.toByteArray();
    // toByteArray() may add a sign byte or drop leading zeros: right-align the magnitude.
    int skip = bytes.length > length ? bytes.length - length : 0;
    int copied = bytes.length - skip;
    System.arraycopy(bytes, skip, out, offset + length - copied, copied);
  }

  /**
   * The RSA public key with CKA_MODULUS {@code modulus} and CKA_PUBLIC_EXPONENT {@code exponent}.
   */
  public static PublicKey rsa(byte[] modulus, byte[] exponent, String what) {
    try {
      return KeyFactory.getInstance("RSA")
          .generatePublic(
              new RSAPublicKeySpec(new BigInteger(1, modulus), new BigInteger(1, exponent)));
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException("the RSA public key of " + what + " is malformed", e);
    }
  }
}
