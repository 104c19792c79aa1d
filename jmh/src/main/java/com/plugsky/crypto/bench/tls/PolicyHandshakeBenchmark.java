package com.plugsky.crypto.bench.tls;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/** Handshakes through this library's contexts (the TLS 1.3 policy) on BoringSSL and the JDK. */
public class PolicyHandshakeBenchmark extends HandshakeBenchmarks {
  @Param({"boringssl", "jdk"})
  public String engine;

  @Param({"ec-p256", "rsa-2048"})
  public String key;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    pair = TlsContextPair.policy(engine, key);
    pair.requireResumption();
  }
}
