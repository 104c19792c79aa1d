package com.plugsky.crypto.tls.context;

import com.plugsky.crypto.tls.policy.TlsProvider;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;

/**
 * A Netty context built to a policy: every handler gets the policy's handshake deadline, and every
 * server engine on BoringSSL the current OCSP response to staple, when there is one.
 */
public final class PolicyNettyContext extends DelegatingSslContext {
  private final TlsProvider provider;
  private final long handshakeTimeoutMillis;
  private final Supplier<byte[]> ocspResponse;

  PolicyNettyContext(
      SslContext context, TlsProvider provider, Duration handshakeTimeout, Supplier<byte[]> ocsp) {
    super(context);
    this.provider = provider;
    this.handshakeTimeoutMillis = handshakeTimeout.toMillis();
    this.ocspResponse = ocsp;
  }

  /** The TLS implementation underneath. */
  public TlsProvider provider() {
    return provider;
  }

  @Override
  protected void initEngine(SSLEngine engine) {
    if (ocspResponse != null && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      byte[] response = ocspResponse.get();
      if (response != null) {
        openSsl.setOcspResponse(response);
      }
    }
  }

  @Override
  protected void initHandler(SslHandler handler) {
    super.initHandler(handler);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
  }
}
