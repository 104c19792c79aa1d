package com.plugsky.crypto.pkcs11.ffm;

import com.plugsky.crypto.ConfigurationException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/** Turns a token's CKA_EC_POINT into a JDK public key. */
final class EcPoints {
  private static final int UNCOMPRESSED_P256 = 65;

  private EcPoints() {}

  /**
   * The P-256 public key in {@code ecPoint}: an uncompressed point (04 || X || Y), DER-wrapped in
   * an OCTET STRING as PKCS#11 v2.40 asks, or bare as some modules return it.
   */
  static ECPublicKey p256PublicKey(byte[] ecPoint, String what) {
    byte[] point =
        ecPoint.length == UNCOMPRESSED_P256 + 2
                && ecPoint[0] == 0x04
                && ecPoint[1] == UNCOMPRESSED_P256
            ? Arrays.copyOfRange(ecPoint, 2, ecPoint.length)
            : ecPoint;
    if (point.length != UNCOMPRESSED_P256 || point[0] != 0x04) {
      throw new ConfigurationException(
          "the EC point of "
              + what
              + " is not an uncompressed P-256 point ("
              + ecPoint.length
              + " bytes)");
    }
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      ECParameterSpec curve = parameters.getParameterSpec(ECParameterSpec.class);
      ECPoint w =
          new ECPoint(
              new BigInteger(1, Arrays.copyOfRange(point, 1, 33)),
              new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
      return (ECPublicKey)
          KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, curve));
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException("the EC point of " + what + " is not on P-256", e);
    }
  }
}
