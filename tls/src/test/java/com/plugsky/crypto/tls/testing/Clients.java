package com.plugsky.crypto.tls.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.internal.tcnative.SSL;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

/** Test clients: a Netty handshake (either provider) and HTTP/1.1 over a JDK SSLSocket. */
public final class Clients {
  private static final EventLoopGroup GROUP =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

  private Clients() {}

  /** What a finished handshake agreed. */
  public record Handshake(
      String protocol,
      String cipherSuite,
      String alpn,
      boolean reused,
      X509Certificate serverLeaf) {}

  /**
   * Connects to 127.0.0.1:{@code port} as "localhost", handshakes and closes.
   *
   * @throws Exception the handshake failure
   */
  public static Handshake handshake(SslContext context, int port) throws Exception {
    return handshake(context, "localhost", port);
  }

  /**
   * Connects to 127.0.0.1:{@code port} as {@code host} (the name sent and verified), handshakes and
   * closes.
   *
   * @throws Exception the handshake failure
   */
  public static Handshake handshake(SslContext context, String host, int port) throws Exception {
    Channel channel = null;
    try {
      SslHandler[] tls = new SslHandler[1];
      channel =
          new Bootstrap()
              .group(GROUP)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      tls[0] = context.newHandler(ch.alloc(), host, port);
                      ch.pipeline().addLast(tls[0]);
                    }
                  })
              .connect("127.0.0.1", port)
              .sync()
              .channel();
      tls[0].handshakeFuture().get(10, TimeUnit.SECONDS);
      SSLEngine engine = tls[0].engine();
      awaitSessionTicket(context, engine);
      boolean reused =
          engine instanceof ReferenceCountedOpenSslEngine openSsl
              && SSL.isSessionReused(openSsl.sslPointer());
      String alpn = tls[0].applicationProtocol();
      return new Handshake(
          engine.getSession().getProtocol(),
          engine.getSession().getCipherSuite(),
          alpn,
          reused,
          (X509Certificate) engine.getSession().getPeerCertificates()[0]);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      if (channel != null) {
        channel.close().sync();
      }
    }
  }

  /**
   * Connects to 127.0.0.1:{@code port} as "localhost", finishes its side of the handshake and waits
   * (up to 10 s) for the server to close the connection, as a server does after refusing a client
   * certificate, which in TLS 1.3 it judges after the client is done. Whether the server's alert
   * reaches the client before the close is a race, so only the close is waited for.
   *
   * @throws IllegalStateException when the server keeps the connection open
   */
  public static void handshakeUntilClosed(SslContext context, int port) throws Exception {
    Channel channel =
        new Bootstrap()
            .group(GROUP)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(context.newHandler(ch.alloc(), "localhost", port))
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void exceptionCaught(
                                  ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                              }
                            });
                  }
                })
            .connect("127.0.0.1", port)
            .sync()
            .channel();
    if (!channel.closeFuture().await(10, TimeUnit.SECONDS)) {
      channel.close().sync();
      throw new IllegalStateException("the server kept the connection open");
    }
  }

  /**
   * TLS 1.3 tickets arrive after the handshake; wait (up to 2 s) until the client's session is
   * resumable, so the next handshake can resume it. Only BoringSSL clients tell.
   */
  private static void awaitSessionTicket(SslContext context, SSLEngine engine)
      throws InterruptedException {
    if (!(engine instanceof ReferenceCountedOpenSslEngine openSsl)) {
      return;
    }
    for (int i = 0; i < 100 && !context.sessionContext().getIds().hasMoreElements(); i++) {
      Thread.sleep(20);
    }
  }

  /** An HTTP/1.1 response. */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** One keep-alive HTTP/1.1 connection over a JDK {@link SSLSocket}. */
  public static final class Http1Connection implements AutoCloseable {
    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    public Http1Connection(SSLContext context, int port) throws IOException {
      socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port);
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    public SSLSocket socket() {
      return socket;
    }

    public Response request(String method, String path) throws IOException {
      out.write(
          (method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String statusLine = line();
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new HashMap<>();
      for (String header = line(); !header.isEmpty(); header = line()) {
        int colon = header.indexOf(':');
        headers.put(
            header.substring(0, colon).strip().toLowerCase(Locale.ROOT),
            header.substring(colon + 1).strip());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = method.equals("HEAD") ? new byte[0] : in.readNBytes(length);
      return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("connection closed mid-response");
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
