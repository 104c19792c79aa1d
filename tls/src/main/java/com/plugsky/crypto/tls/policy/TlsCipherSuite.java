package com.plugsky.crypto.tls.policy;

/** The three TLS 1.3 cipher suites (RFC 8446 section 9.1); the policy enables all of them. */
public enum TlsCipherSuite {
  TLS_AES_128_GCM_SHA256,
  TLS_AES_256_GCM_SHA384,
  TLS_CHACHA20_POLY1305_SHA256;

  /** The IANA name, which both the JDK and Netty's BoringSSL provider use. */
  public String ianaName() {
    return name();
  }
}
