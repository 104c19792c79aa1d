package com.plugsky.crypto.tls.server;

import com.plugsky.crypto.tls.hsts.Hsts;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/** After the handshake: HTTP/2 when ALPN chose h2, else HTTP/1.1; the same responder for both. */
final class HttpProtocols extends ApplicationProtocolNegotiationHandler {
  private static final int MAX_REQUEST_BYTES = 64 * 1024;

  private final HstsHeader hsts;
  private final Duration idleTimeout;
  private final Duration requestTimeout;

  HttpProtocols(Hsts hsts, Duration idleTimeout, Duration requestTimeout) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.hsts = new HstsHeader(hsts);
    this.idleTimeout = idleTimeout;
    this.requestTimeout = requestTimeout;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    ChannelPipeline pipeline = ctx.pipeline();
    SSLEngine engine = pipeline.get(SslHandler.class).engine();
    pipeline.addLast(
        "idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
    pipeline.addLast("close-idle", new CloseWhenIdle());
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      pipeline.addLast(Http2FrameCodecBuilder.forServer().build());
      pipeline.addLast(
          new Http2MultiplexHandler(
              new ChannelInitializer<Http2StreamChannel>() {
                @Override
                protected void initChannel(Http2StreamChannel stream) {
                  stream
                      .pipeline()
                      .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                      .addLast(hsts)
                      .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                      .addLast(new Responder("h2", engine));
                }
              }));
    } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
      pipeline
          .addLast(new RequestDeadline(requestTimeout))
          .addLast(new HttpServerCodec())
          .addLast(hsts)
          .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
          .addLast(new Responder("http/1.1", engine));
    } else {
      ctx.close();
    }
  }

  private static final class CloseWhenIdle extends ChannelDuplexHandler {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof IdleStateEvent) {
        ctx.close();
      }
      super.userEventTriggered(ctx, event);
    }
  }
}
