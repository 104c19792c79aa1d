package com.plugsky.crypto.tls.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Answers every request with a short description of its TLS session; {@link HstsHeader}, further
 * out in the pipeline, adds the HSTS header.
 */
final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final String protocol;
  private final SSLEngine engine;

  Responder(String protocol, SSLEngine engine) {
    this.protocol = protocol;
    this.engine = engine;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean allowed =
        request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD);
    HttpResponseStatus status =
        !request.decoderResult().isSuccess()
            ? HttpResponseStatus.BAD_REQUEST
            : allowed ? HttpResponseStatus.OK : HttpResponseStatus.METHOD_NOT_ALLOWED;
    String body = status == HttpResponseStatus.OK ? describe() : status + "\n";
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            request.method().equals(HttpMethod.HEAD)
                ? Unpooled.EMPTY_BUFFER
                : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    if (!allowed) {
      response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
    }
    HttpUtil.setContentLength(response, body.getBytes(StandardCharsets.UTF_8).length);
    boolean keepAlive = HttpUtil.isKeepAlive(request) && status == HttpResponseStatus.OK;
    if (!keepAlive && !"h2".equals(protocol)) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
    }
  }

  private String describe() {
    SSLSession session = engine.getSession();
    return "tls="
        + session.getProtocol()
        + " cipher="
        + session.getCipherSuite()
        + " alpn="
        + protocol
        + " client="
        + clientSubject(session)
        + "\n";
  }

  private static String clientSubject(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf
          ? leaf.getSubjectX500Principal().getName()
          : "none";
    } catch (SSLPeerUnverifiedException e) {
      return "none";
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
