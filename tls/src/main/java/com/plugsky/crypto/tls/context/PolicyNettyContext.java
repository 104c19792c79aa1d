package com.plugsky.crypto.tls.context;

import com.plugsky.crypto.tls.policy.TlsProvider;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import javax.net.ssl.SSLEngine;

/** A Netty context built to a policy: every handler gets the policy's handshake deadline. */
public final class PolicyNettyContext extends DelegatingSslContext {
  private final TlsProvider provider;
  private final long handshakeTimeoutMillis;

  PolicyNettyContext(SslContext context, TlsProvider provider, Duration handshakeTimeout) {
    super(context);
    this.provider = provider;
    this.handshakeTimeoutMillis = handshakeTimeout.toMillis();
  }

  /** The TLS implementation underneath. */
  public TlsProvider provider() {
    return provider;
  }

  @Override
  protected void initEngine(SSLEngine engine) {
    // Engines need nothing beyond the wrapped context's settings.
  }

  @Override
  protected void initHandler(SslHandler handler) {
    super.initHandler(handler);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
  }
}
