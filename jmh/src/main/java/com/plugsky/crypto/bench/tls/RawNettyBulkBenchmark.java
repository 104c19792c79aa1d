package com.plugsky.crypto.bench.tls;

import org.openjdk.jmh.annotations.Param;

/** The peer: bulk records on contexts made straight with Netty. */
public class RawNettyBulkBenchmark extends BulkBenchmarks {
  @Param({"netty-boringssl", "netty-jdk"})
  public String peer;

  @Override
  TlsContextPair contexts() throws Exception {
    return TlsContextPair.rawNetty(peer, "ec-p256");
  }
}
