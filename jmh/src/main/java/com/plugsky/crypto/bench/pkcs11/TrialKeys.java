package com.plugsky.crypto.bench.pkcs11;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.util.UUID;

/**
 * The keys and inputs of one trial of {@link Pkcs11Benchmark} and {@link InJvmFloorBenchmark}, made
 * the same way for both so that the token holds the same objects whichever runs (SoftHSM2's
 * per-call cost grows with them): an AES-256 key and EC P-256 and RSA-2048 key pairs generated in
 * the token under labels unique to the trial, a 1 KiB plaintext, a 32-byte secret to wrap and 32
 * bytes to sign.
 */
record TrialKeys(HsmKey aes, HsmKey ec, HsmKey rsa, byte[] plaintext, byte[] secret, byte[] data) {
  private static final byte[] IV = new byte[12];
  private static final byte[] NO_AAD = new byte[0];

  static TrialKeys generate(Hsm hsm) {
    String run = UUID.randomUUID().toString();
    TrialKeys keys =
        new TrialKeys(
            HsmKey.label("bench-aes-" + run),
            HsmKey.label("bench-ec-" + run),
            HsmKey.label("bench-rsa-" + run),
            CryptoRandom.bytes(1024),
            CryptoRandom.bytes(32),
            CryptoRandom.bytes(32));
    hsm.generateAesKey(keys.aes());
    hsm.generateKeyPair(keys.ec(), KeyPairType.EC_P256);
    hsm.generateKeyPair(keys.rsa(), KeyPairType.RSA_2048);
    return keys;
  }

  /** AES-256-GCM of the 1 KiB plaintext under the AES key, inside {@code hsm}. */
  byte[] encryptAesGcm(Hsm hsm) {
    return hsm.encryptAesGcm(aes, IV, plaintext, NO_AAD);
  }

  /** CKM_AES_KEY_WRAP_PAD of the 32-byte secret under the AES key. */
  byte[] wrapSecret(Hsm hsm) {
    return hsm.wrapKeyPad(aes, secret);
  }

  /** The inverse of {@link #wrapSecret} on {@code wrapped}. */
  byte[] unwrapSecret(Hsm hsm, byte[] wrapped) {
    return hsm.unwrapKeyPad(aes, wrapped);
  }

  /** ECDSA P-256 with SHA-256 over the 32 bytes of data. */
  byte[] signEcdsaP256(Hsm hsm) {
    return hsm.sign(ec, SignatureAlgorithm.ECDSA_SHA256, data);
  }

  /** RSA-PSS with SHA-256 over the 32 bytes of data, under the RSA-2048 key. */
  byte[] signRsa2048Pss(Hsm hsm) {
    return hsm.sign(rsa, SignatureAlgorithm.RSA_PSS_SHA256, data);
  }

  /**
   * One of the C floor's operations through {@code hsm}: aes-gcm, wrap-pad, unwrap-pad ({@code
   * wrapped}, what {@link #wrapSecret} made), ecdsa-p256.
   */
  Object runOnBackend(Hsm hsm, String operation, byte[] wrapped) {
    return switch (operation) {
      case "aes-gcm" -> encryptAesGcm(hsm);
      case "wrap-pad" -> wrapSecret(hsm);
      case "unwrap-pad" -> unwrapSecret(hsm, wrapped);
      case "ecdsa-p256" -> signEcdsaP256(hsm);
      default -> throw new IllegalArgumentException("unknown operation " + operation);
    };
  }
}
