package com.plugsky.crypto.tls.server;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.tls.context.HandshakeFailures;
import com.plugsky.crypto.tls.context.PolicyNettyContext;
import com.plugsky.crypto.tls.hsts.Hsts;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A small HTTPS server on Netty for demos and tests: TLS from a {@link PolicyNettyContext} (asked
 * for afresh on every connection, so a context swapped in by the caller takes effect at once),
 * HTTP/2 or HTTP/1.1 by ALPN, and a {@code Strict-Transport-Security} header on every response.
 * Each response is a short text naming the TLS version, suite, protocol and client certificate.
 *
 * <p>A handshake that fails or does not finish within the policy's handshake timeout closes its
 * connection and is reported to {@link Builder#onHandshakeFailure}; a connection idle after the
 * handshake closes after {@link Builder#idleTimeout}.
 */
public final class HttpsServer implements AutoCloseable {
  private final Builder config;
  private final AtomicLong handshakes = new AtomicLong();
  private EventLoopGroup acceptors;
  private EventLoopGroup workers;
  private Channel listener;

  private HttpsServer(Builder config) {
    this.config = config;
  }

  public static Builder builder(PolicyNettyContext context) {
    Objects.requireNonNull(context, "context");
    return builder(() -> context);
  }

  /** A server taking its context from {@code contexts} for each new connection. */
  public static Builder builder(Supplier<PolicyNettyContext> contexts) {
    return new Builder(Objects.requireNonNull(contexts, "contexts"));
  }

  /**
   * Binds and starts serving.
   *
   * @throws ConfigurationException when the address cannot be bound
   */
  public synchronized HttpsServer start() {
    if (listener != null) {
      throw new IllegalStateException("the server is already started");
    }
    acceptors = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(config.ioThreads, NioIoHandler.newFactory());
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptors, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    PolicyNettyContext context = config.contexts.get();
                    SslHandler tls =
                        config.delegatedTasks == null
                            ? context.newHandler(channel.alloc())
                            : context.newHandler(channel.alloc(), config.delegatedTasks);
                    channel
                        .pipeline()
                        .addLast("tls", tls)
                        .addLast("handshake", new HandshakeOutcome(channel.remoteAddress()))
                        .addLast(
                            "alpn",
                            new HttpProtocols(
                                config.hsts, config.idleTimeout, config.requestTimeout));
                  }
                });
    try {
      listener =
          bootstrap.bind(new InetSocketAddress(config.address, config.port)).sync().channel();
    } catch (Exception e) {
      shutdownGroups();
      throw new ConfigurationException(
          "cannot listen on " + config.address.getHostAddress() + ":" + config.port, e);
    }
    return this;
  }

  /** The bound port (the one the system chose when the builder asked for 0). */
  public int port() {
    if (listener == null) {
      throw new IllegalStateException("the server is not started");
    }
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** Handshakes completed since start. */
  public long handshakes() {
    return handshakes.get();
  }

  /** Stops accepting, closes every connection and waits for the event loops to end. */
  @Override
  public synchronized void close() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
      listener = null;
    }
    shutdownGroups();
  }

  private void shutdownGroups() {
    for (EventLoopGroup group : new EventLoopGroup[] {acceptors, workers}) {
      if (group != null) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
    acceptors = null;
    workers = null;
  }

  /** Counts handshakes, reports failures and closes their connections. */
  private final class HandshakeOutcome extends ChannelInboundHandlerAdapter {
    private final SocketAddress peer;

    HandshakeOutcome(SocketAddress peer) {
      this.peer = peer;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof SslHandshakeCompletionEvent completion) {
        if (completion.isSuccess()) {
          handshakes.incrementAndGet();
          ctx.pipeline().remove(this);
        } else {
          config.onHandshakeFailure.accept(
              new HandshakeFailure(peer, HandshakeFailures.describe(completion.cause())));
          ctx.close();
        }
      }
      super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // The handshake event above reports TLS failures; anything else ends the connection.
      ctx.close();
    }
  }

  /**
   * Why one connection's handshake failed.
   *
   * @param peer the client's address
   * @param reason what {@link HandshakeFailures#describe} made of it
   */
  public record HandshakeFailure(SocketAddress peer, String reason) {}

  /** Configures an {@link HttpsServer}. */
  public static final class Builder {
    private final Supplier<PolicyNettyContext> contexts;
    private InetAddress address = InetAddress.getLoopbackAddress();
    private int port;
    private int ioThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private Hsts hsts = Hsts.preloadReady();
    private Duration idleTimeout = Duration.ofSeconds(60);
    private Duration requestTimeout = Duration.ofSeconds(20);
    private Consumer<HandshakeFailure> onHandshakeFailure = failure -> {};
    private Executor delegatedTasks;

    private Builder(Supplier<PolicyNettyContext> contexts) {
      this.contexts = contexts;
    }

    /** Loopback by default. */
    public Builder address(InetAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /** 0 (the default) lets the system choose; read it back with {@link HttpsServer#port()}. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new InvalidInputException("port must be 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    public Builder ioThreads(int ioThreads) {
      if (ioThreads < 1) {
        throw new InvalidInputException("ioThreads must be positive");
      }
      this.ioThreads = ioThreads;
      return this;
    }

    /** The header every response carries; {@link Hsts#preloadReady()} by default. */
    public Builder hsts(Hsts hsts) {
      this.hsts = Objects.requireNonNull(hsts, "hsts");
      return this;
    }

    /** A connection that sends nothing for this long after its handshake is closed. */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
      return this;
    }

    /**
     * Where the TLS engine's delegated tasks run, an HSM-held key's signature among them. By
     * default they run on the connection's event loop, which suits a token in the same machine
     * (SoftHSM2, a PCIe card); with an HSM across the network give them an executor of their own,
     * so that a signature waiting on the network does not stall the other connections of that event
     * loop.
     */
    public Builder delegatedTasks(Executor executor) {
      this.delegatedTasks = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * An HTTP/1.1 request must arrive whole within this long from its first byte (20 s by default),
     * else the connection is closed: the idle timeout restarts with every byte, so it alone lets a
     * client that trickles a request hold a connection for ever.
     */
    public Builder requestTimeout(Duration requestTimeout) {
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      if (requestTimeout.isNegative() || requestTimeout.isZero()) {
        throw new InvalidInputException("requestTimeout must be positive, got " + requestTimeout);
      }
      this.requestTimeout = requestTimeout;
      return this;
    }

    public Builder onHandshakeFailure(Consumer<HandshakeFailure> listener) {
      this.onHandshakeFailure = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public HttpsServer build() {
      return new HttpsServer(this);
    }
  }
}
