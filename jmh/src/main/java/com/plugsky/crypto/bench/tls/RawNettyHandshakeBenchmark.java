package com.plugsky.crypto.bench.tls;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** The peer: the same handshakes on contexts made straight with Netty's SslContextBuilder. */
public class RawNettyHandshakeBenchmark extends HandshakeBenchmarks {
  @Param({"netty-boringssl", "netty-jdk"})
  public String peer;

  @Param({"ec-p256", "rsa-2048"})
  public String key;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    pair = TlsContextPair.rawNetty(peer, key);
    pair.requireResumption();
  }
}
