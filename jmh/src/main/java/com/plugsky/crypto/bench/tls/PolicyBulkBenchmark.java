package com.plugsky.crypto.bench.tls;

import org.openjdk.jmh.annotations.Param;

/** Bulk records through this library's contexts. */
public class PolicyBulkBenchmark extends BulkBenchmarks {
  @Param({"boringssl", "jdk"})
  public String engine;

  @Override
  TlsContextPair contexts() throws Exception {
    return TlsContextPair.policy(engine, "ec-p256");
  }
}
