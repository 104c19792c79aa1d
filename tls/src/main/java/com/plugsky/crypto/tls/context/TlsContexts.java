package com.plugsky.crypto.tls.context;

import com.plugsky.crypto.tls.keys.TlsCredentials;
import com.plugsky.crypto.tls.mtls.PeerVerification;

/** Where TLS contexts start: {@code TlsContexts.server(key).buildNetty()}. */
public final class TlsContexts {
  private TlsContexts() {}

  /** A server presenting {@code credentials}. */
  public static TlsServerContextBuilder server(TlsCredentials credentials) {
    return new TlsServerContextBuilder(credentials);
  }

  /** A client trusting servers that {@code serverVerification} accepts. */
  public static TlsClientContextBuilder client(PeerVerification serverVerification) {
    return new TlsClientContextBuilder(serverVerification);
  }
}
