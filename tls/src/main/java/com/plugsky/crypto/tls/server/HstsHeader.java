package com.plugsky.crypto.tls.server;

import com.plugsky.crypto.tls.hsts.Hsts;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Sets the HSTS header on every response written past it. It sits between the HTTP codec and {@code
 * HttpObjectAggregator}, because the aggregator answers some requests itself (413 for a body over
 * the limit, 417 for an Expect it does not support) without reaching the {@link Responder}.
 */
@Sharable
final class HstsHeader extends ChannelOutboundHandlerAdapter {
  private final String value;

  HstsHeader(Hsts hsts) {
    this.value = hsts.headerValue();
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse response) {
      response.headers().set(Hsts.HEADER, value);
    }
    ctx.write(msg, promise);
  }
}
