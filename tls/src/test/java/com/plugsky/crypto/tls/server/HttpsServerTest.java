package com.plugsky.crypto.tls.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.tls.context.PolicyNettyContext;
import com.plugsky.crypto.tls.context.TlsContexts;
import com.plugsky.crypto.tls.hsts.Hsts;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.policy.TlsPolicy;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.testing.Clients;
import com.plugsky.crypto.tls.testing.Clients.Http1Connection;
import com.plugsky.crypto.tls.testing.Processes;
import com.plugsky.crypto.tls.testing.TestPki;
import com.plugsky.crypto.tls.testing.TestPki.KeyType;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTPS server: HSTS on every response over HTTP/1.1 and HTTP/2 (on BoringSSL), resumption,
 * openssl s_client as an outside client, and garbage or stalled ClientHellos (on both providers).
 */
class HttpsServerTest {
  private static final TestPki PKI = TestPki.create("https-server-test-ca");
  private static final PeerVerification TRUST =
      PeerVerification.trusting(TrustAnchors.of(List.of(PKI.caCertificate())));
  private static final TlsPolicy HTTP1_ONLY =
      TlsPolicy.builder().applicationProtocols("http/1.1").build();
  private static final List<HttpsServer.HandshakeFailure> FAILURES = new CopyOnWriteArrayList<>();
  private static final Hsts HSTS = Hsts.preloadReady();

  @TempDir static Path dir;

  /** BoringSSL: most tests run against this one. */
  private static HttpsServer server;

  private static HttpsServer jdkServer;
  private static Path caPem;

  @BeforeAll
  static void start() {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256);
    server = serve(CertifiedKey.of(issued.key(), issued.chain()), TlsProvider.BORINGSSL);
    jdkServer = serve(CertifiedKey.of(issued.key(), issued.chain()), TlsProvider.JDK);
    caPem = PKI.writeCaPem(dir.resolve("ca.pem"));
  }

  private static HttpsServer serve(CertifiedKey key, TlsProvider provider) {
    TlsPolicy shortHandshakes =
        TlsPolicy.builder().handshakeTimeout(Duration.ofMillis(700)).build();
    return HttpsServer.builder(
            TlsContexts.server(key).provider(provider).policy(shortHandshakes).buildNetty())
        .hsts(HSTS)
        .ioThreads(1)
        .onHandshakeFailure(FAILURES::add)
        .build()
        .start();
  }

  private static HttpsServer server(TlsProvider provider) {
    return provider == TlsProvider.BORINGSSL ? server : jdkServer;
  }

  @AfterAll
  static void stop() {
    server.close();
    jdkServer.close();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void everyResponseOverHttp2AndHttp1CarriesHsts(HttpClient.Version version) throws Exception {
    SSLContext jdk = TlsContexts.client(TRUST).buildJdk();
    try (HttpClient client = HttpClient.newBuilder().sslContext(jdk).version(version).build()) {
      URI uri = URI.create("https://localhost:" + server.port() + "/");

      HttpResponse<String> ok =
          client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> refused =
          client.send(
              HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
              HttpResponse.BodyHandlers.ofString());
      // Netty's HttpObjectAggregator answers this one itself, without the responder.
      HttpResponse<String> tooLarge =
          client.send(
              HttpRequest.newBuilder(uri)
                  .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[64 * 1024 + 1]))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(ok.version()).isEqualTo(version);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body())
          .startsWith(
              "tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 alpn="
                  + (version == HttpClient.Version.HTTP_2 ? "h2" : "http/1.1"));
      assertThat(refused.statusCode()).isEqualTo(405);
      assertThat(tooLarge.statusCode()).isEqualTo(413);
      for (HttpResponse<String> response : List.of(ok, refused, tooLarge)) {
        assertThat(response.headers().firstValue(Hsts.HEADER))
            .contains("max-age=63072000; includeSubDomains; preload");
        assertThat(
                Hsts.parse(response.headers().firstValue(Hsts.HEADER).orElseThrow())
                    .preloadProblems())
            .isEmpty();
      }
    }
  }

  /** The JDK's HttpClient will not send an Expect header of our choosing; curl will. */
  @ParameterizedTest
  @ValueSource(strings = {"--http1.1", "--http2"})
  void anUnsupportedExpectationIsAnswered417WithHsts(String httpVersion) throws Exception {
    Processes.Result result =
        Processes.run(
            List.of(
                "curl",
                "-sS",
                httpVersion,
                "--cacert",
                caPem.toString(),
                "-D",
                "-",
                "-o",
                "/dev/null",
                "-H",
                "Expect: a-teapot",
                "--data-binary",
                "x",
                "https://localhost:" + server.port() + "/"));

    assertThat(result.output())
        .containsPattern("(?m)^HTTP/(1\\.1|2) 417")
        .containsIgnoringCase(Hsts.HEADER + ": max-age=63072000; includeSubDomains; preload");
  }

  @Test
  void boringSslClientResumesItsSession() throws Exception {
    PolicyNettyContext client =
        TlsContexts.client(TRUST).provider(TlsProvider.BORINGSSL).buildNetty();

    Clients.Handshake first = Clients.handshake(client, server.port());
    Clients.Handshake second = Clients.handshake(client, server.port());

    assertThat(first.reused()).isFalse();
    assertThat(second.reused()).isTrue();
    assertThat(second.protocol()).isEqualTo("TLSv1.3");
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void opensslResumesWithTheSessionTicket(TlsProvider provider) throws Exception {
    Path session = dir.resolve("openssl-" + provider + ".session");
    // -ign_eof keeps reading after the request, so the ticket arrives before the server closes.
    Processes.Result first =
        Processes.run(
            sClientCommand(provider, "-tls1_3", "-ign_eof", "-sess_out", session.toString()),
            "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    Processes.Result second =
        Processes.run(sClientCommand(provider, "-tls1_3", "-sess_in", session.toString()));

    assertThat(first.output()).contains("New, TLSv1.3, Cipher is TLS_AES_");
    assertThat(first.output()).contains("Verify return code: 0 (ok)");
    assertThat(second.output()).contains("Reused, TLSv1.3");
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void opensslTls12OnlyIsRefused(TlsProvider provider) throws Exception {
    int before = FAILURES.size();

    Processes.Result result = Processes.run(sClientCommand(provider, "-tls1_2"));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).containsIgnoringCase("alert protocol version");
    HandshakeTest.await(() -> FAILURES.size() > before);
    assertThat(FAILURES.getLast().reason()).contains("TLS 1.2 and older are refused");
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void opensslAlpnGetsH2(TlsProvider provider) throws Exception {
    Processes.Result result =
        Processes.run(sClientCommand(provider, "-tls1_3", "-alpn", "h2,http/1.1"));

    assertThat(result.output()).contains("ALPN protocol: h2");
  }

  private static List<String> sClientCommand(TlsProvider provider, String... options) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + server(provider).port(),
                "-servername",
                "localhost",
                "-CAfile",
                caPem.toString()));
    command.addAll(List.of(options));
    return command;
  }

  /** What a broken or hostile client sends instead of a well-formed ClientHello. */
  enum Garbage {
    PLAINTEXT_HTTP("not a TLS record"),
    /** A handshake record header (16 03 01, 512 bytes) followed by 512 random bytes. */
    RANDOM_RECORD_BODY("malformed handshake message"),
    /**
     * A real ClientHello record whose bytes after the client random are replaced by random ones.
     */
    GARBLED_CLIENT_HELLO("malformed handshake message"),
    /** The first half of a real ClientHello record, then the client half-closes. */
    TRUNCATED_CLIENT_HELLO("closed the connection before the handshake finished");

    /** Part of the reason the server reports, on either provider. */
    final String reason;

    Garbage(String reason) {
      this.reason = reason;
    }
  }

  @ParameterizedTest(name = "{1} to the {0} server")
  @MethodSource("providersAndGarbage")
  void garbageInsteadOfAClientHelloIsDroppedAtOnceAndTheServerServesOn(
      TlsProvider provider, Garbage garbage) throws Exception {
    int before = FAILURES.size();
    try (Socket socket = new Socket("127.0.0.1", server(provider).port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(bytesOf(garbage, server(provider).port()));
      out.flush();
      if (garbage == Garbage.TRUNCATED_CLIENT_HELLO) {
        socket.shutdownOutput();
      }
      assertThat(drain(socket.getInputStream())).isTrue();
    }
    HandshakeTest.await(() -> FAILURES.size() > before);
    // Closed on what it read, not left to the handshake timeout.
    assertThat(FAILURES.getLast().reason()).contains(garbage.reason);
    assertStillServing(provider);
  }

  static List<Arguments> providersAndGarbage() {
    List<Arguments> arguments = new ArrayList<>();
    for (TlsProvider provider : TlsProvider.values()) {
      for (Garbage garbage : Garbage.values()) {
        arguments.add(Arguments.of(provider, garbage));
      }
    }
    return arguments;
  }

  private static byte[] bytesOf(Garbage garbage, int port) throws Exception {
    Random random = new Random(garbage.ordinal());
    return switch (garbage) {
      case PLAINTEXT_HTTP ->
          "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      case RANDOM_RECORD_BODY -> {
        byte[] record = new byte[5 + 512];
        random.nextBytes(record);
        System.arraycopy(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00}, 0, record, 0, 5);
        yield record;
      }
      case GARBLED_CLIENT_HELLO -> {
        byte[] hello = clientHello(port);
        // record header 5, handshake header 4, legacy_version 2, random 32
        byte[] tail = new byte[hello.length - 43];
        random.nextBytes(tail);
        System.arraycopy(tail, 0, hello, 43, tail.length);
        yield hello;
      }
      case TRUNCATED_CLIENT_HELLO -> {
        byte[] hello = clientHello(port);
        yield Arrays.copyOf(hello, hello.length / 2);
      }
    };
  }

  /** The first flight of a real JDK client under the policy: one ClientHello record. */
  private static byte[] clientHello(int port) throws Exception {
    SSLEngine engine = TlsContexts.client(TRUST).buildJdk().createSSLEngine("localhost", port);
    engine.setUseClientMode(true);
    ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
    engine.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] hello = new byte[out.remaining()];
    out.get(hello);
    assertThat(hello[0]).as("a handshake record").isEqualTo((byte) 0x16);
    assertThat(hello[5]).as("a ClientHello").isEqualTo((byte) 0x01);
    return hello;
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void aStalledHalfOpenClientHelloTimesOutWhileOthersAreServed(TlsProvider provider)
      throws Exception {
    int before = FAILURES.size();
    try (Socket socket = new Socket("127.0.0.1", server(provider).port())) {
      socket.setSoTimeout(5_000);
      // The first bytes of a ClientHello record announcing 512 bytes, then nothing more.
      socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00});
      socket.getOutputStream().flush();
      assertStillServing(provider);
      long start = System.nanoTime();
      assertThat(drain(socket.getInputStream())).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
    HandshakeTest.await(() -> FAILURES.size() > before);
    assertThat(FAILURES.getLast().reason()).contains("did not finish in time");
  }

  @ParameterizedTest
  @EnumSource(TlsProvider.class)
  void aRequestTrickledByteByByteIsCutOffAtTheRequestTimeout(TlsProvider provider)
      throws Exception {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256);
    try (HttpsServer strict =
        HttpsServer.builder(
                TlsContexts.server(CertifiedKey.of(issued.key(), issued.chain()))
                    .provider(provider)
                    .buildNetty())
            .ioThreads(1)
            .idleTimeout(Duration.ofSeconds(60))
            .requestTimeout(Duration.ofMillis(800))
            .build()
            .start()) {
      SSLContext jdk = TlsContexts.client(TRUST).policy(HTTP1_ONLY).buildJdk();
      try (Http1Connection quick = new Http1Connection(jdk, strict.port())) {
        assertThat(quick.request("GET", "/").status()).isEqualTo(200);
      }
      try (Http1Connection trickling = new Http1Connection(jdk, strict.port())) {
        OutputStream out = trickling.socket().getOutputStream();
        long start = System.nanoTime();
        boolean cutOff = false;
        byte[] request =
            "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 20 && !cutOff; i++) {
          try {
            out.write(request[i % request.length]);
            out.flush();
            Thread.sleep(100);
          } catch (java.io.IOException closed) {
            cutOff = true;
          }
        }
        if (!cutOff) {
          trickling.socket().setSoTimeout(2_000);
          cutOff = drain(trickling.socket().getInputStream());
        }
        assertThat(cutOff).as("the server closed the trickling connection").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      }
    }
  }

  /** Reads until the server closes; true when it did before the socket timeout. */
  private static boolean drain(InputStream in) {
    try {
      while (in.read() >= 0) {
        // discard whatever the server sends before closing (an alert)
      }
      return true;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (java.io.IOException e) {
      return true;
    }
  }

  private static void assertStillServing(TlsProvider provider) throws Exception {
    SSLContext jdk = TlsContexts.client(TRUST).policy(HTTP1_ONLY).buildJdk();
    try (Http1Connection connection = new Http1Connection(jdk, server(provider).port())) {
      assertThat(connection.request("GET", "/").status()).isEqualTo(200);
    }
  }
}
