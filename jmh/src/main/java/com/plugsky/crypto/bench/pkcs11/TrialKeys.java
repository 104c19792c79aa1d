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

  /**
   * One of the C floor's operations through {@code hsm}: aes-gcm (1 KiB), wrap-pad (the secret),
   * unwrap-pad ({@code wrapped}, the secret wrapped under the AES key), ecdsa-p256.
   */
  Object runOnBackend(Hsm hsm, String operation, byte[] wrapped) {
    return switch (operation) {
      case "aes-gcm" -> hsm.encryptAesGcm(aes, IV, plaintext, NO_AAD);
      case "wrap-pad" -> hsm.wrapKeyPad(aes, secret);
      case "unwrap-pad" -> hsm.unwrapKeyPad(aes, wrapped);
      case "ecdsa-p256" -> hsm.sign(ec, SignatureAlgorithm.ECDSA_SHA256, data);
      default -> throw new IllegalArgumentException("unknown operation " + operation);
    };
  }
}
