package com.plugsky.crypto.tls.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.1 connection whose request has not fully arrived within a time from its first
 * byte. The idle timeout alone never fires for a client that sends one byte at a time (each byte
 * restarts it), so such a client could hold a connection open indefinitely. Sits before the HTTP
 * codec: the first bytes after a response start the clock, and the next response stops it (the
 * server answers only once a request is complete, or refuses it).
 */
final class RequestDeadline extends ChannelDuplexHandler {
  private final long timeoutMillis;
  private ScheduledFuture<?> deadline;

  RequestDeadline(Duration timeout) {
    this.timeoutMillis = timeout.toMillis();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (deadline == null) {
      deadline = ctx.executor().schedule(() -> ctx.close(), timeoutMillis, TimeUnit.MILLISECONDS);
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    stop();
    super.write(ctx, msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stop();
    super.channelInactive(ctx);
  }

  private void stop() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
