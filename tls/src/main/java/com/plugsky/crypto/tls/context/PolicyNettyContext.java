package com.plugsky.crypto.tls.context;

import com.plugsky.crypto.tls.policy.TlsProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
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
    if (!isClient()) {
      handler.handshakeFuture().addListener(handshake -> flushSessionTickets(handler, handshake));
    }
  }

  /**
   * BoringSSL queues its TLS 1.3 NewSessionTickets when the handshake ends but reports nothing left
   * to wrap, so Netty would hold them until the first response; a client that only connects, or
   * closes before a response, would then never resume. An empty flush sends them at once.
   */
  private static void flushSessionTickets(SslHandler handler, Future<?> handshake) {
    if (handshake.isSuccess() && handshake.getNow() instanceof Channel channel) {
      // Later, not inside the decode that finished the handshake: SslHandler is not re-entrant.
      channel
          .eventLoop()
          .execute(
              () -> {
                ChannelHandlerContext context = channel.pipeline().context(handler);
                if (context != null && channel.isActive()) {
                  try {
                    handler.flush(context);
                  } catch (Exception e) {
                    context.fireExceptionCaught(e);
                  }
                }
              });
    }
  }
}
