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
          + " Aead and Tink's KmsEnvelopeAead");

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
