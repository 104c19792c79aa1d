package com.plugsky.crypto.tls.policy;

/** The TLS implementation a context runs on. */
public enum TlsProvider {
  /** BoringSSL through netty-tcnative-boringssl-static: the fast path, and the only one for HSM keys. */
  BORINGSSL,
  /** The JDK's SunJSSE: the fallback where BoringSSL's native library cannot load. */
  JDK;

  /** BoringSSL when it loads on this machine, else the JDK. */
  public static TlsProvider preferred() {
    return BoringSsl.isAvailable() ? BORINGSSL : JDK;
  }
}
