package com.plugsky.crypto.cli.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** A benchmark family: the benchmarks of one package of the jmh module, compared side by side. */
enum BenchFamily {
  AES_GCM(
      "aes-gcm",
      "aesgcm",
      true,
      "AES-256-GCM encrypt and decrypt, 64 B to 1 MiB, byte[] and direct buffers: our engines"
          + " and the peers (SunJCE, ACCP, Conscrypt, Tink, BC-FIPS)"),
  COLD_START(
      "cold-start",
      "coldstart",
      false,
      "the first 200 encryptions of 1 MiB in a fresh JVM per engine (single shot, its own forks)"),
  ENVELOPE(
      "envelope",
      "envelope",
      true,
      "one envelope message per operation with a local KEK, cache off and on, against the raw"
          + " Aead, Tink's KmsEnvelopeAead and the AWS Encryption SDK (without and with its cache);"
          + " a 1 GiB stream with 64 KiB frames against raw bulk AES-GCM and the SDK's streams"),
  KMS(
      "kms",
      "kms",
      true,
      "envelope encrypt of 1 KiB through AWS KMS on a moto_server the trial starts, data-key cache"
          + " off and on: ops/s and KMS calls per 10,000 messages"),
  PKCS11(
      "pkcs11",
      "pkcs11",
      true,
      "one PKCS#11 operation per call on a SoftHSM2 token the run creates: AES-GCM 1 KiB, key"
          + " wrap with padding, ECDSA P-256 and RSA-2048 PSS signs, per backend (ffm, sunpkcs11,"
          + " iaik), 1 and 2 threads, and the C floor's loop run inside a JVM against ffm"),
  TLS(
      "tls",
      "tls",
      true,
      "TLS 1.3 in memory, BoringSSL vs the JDK: full and resumed handshakes/s (P-256, RSA-2048),"
          + " 16 KiB records, our contexts vs raw Netty, an HSM-held P-256 key vs a file key");

  final String name;
  final String packageName;
  /** Whether the quick and full profiles apply; cold-start sets its own single-shot forks. */
  final boolean profiled;
  final String description;

  BenchFamily(String name, String packageName, boolean profiled, String description) {
    this.name = name;
    this.packageName = packageName;
    this.profiled = profiled;
    this.description = description;
  }

  /** The JMH include pattern of the family's benchmarks. */
  String includePattern() {
    return "^com\\.plugsky\\.crypto\\.bench\\." + packageName + "\\.";
  }

  static Optional<BenchFamily> named(String name) {
    return Arrays.stream(values()).filter(f -> f.name.equals(name)).findFirst();
  }

  static List<String> names() {
    return Arrays.stream(values()).map(f -> f.name).toList();
  }
}
