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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTPS server on BoringSSL: HSTS on every response over HTTP/1.1 and HTTP/2, resumption,
 * openssl s_client as an outside client, and clients that never finish a handshake.
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
  private static HttpsServer server;
  private static Path caPem;

  @BeforeAll
  static void start() {
    TestPki.Issued issued = PKI.server(KeyType.EC_P256);
    TlsPolicy shortHandshakes = TlsPolicy.builder().handshakeTimeout(Duration.ofMillis(700)).build();
    server =
        HttpsServer.builder(
                TlsContexts.server(CertifiedKey.of(issued.key(), issued.chain()))
                    .provider(TlsProvider.BORINGSSL)
                    .policy(shortHandshakes)
                    .buildNetty())
            .hsts(HSTS)
            .ioThreads(1)
            .onHandshakeFailure(FAILURES::add)
            .build()
            .start();
    caPem = PKI.writeCaPem(dir.resolve("ca.pem"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void everyResponseOverHttp2AndHttp1CarriesHsts(HttpClient.Version version) throws Exception {
    SSLContext jdk = TlsContexts.client(TRUST).buildJdk();
    try (HttpClient client = HttpClient.newBuilder().sslContext(jdk).version(version).build()) {
      URI uri = URI.create("https://localhost:" + server.port() + "/");

      HttpResponse<String> ok = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> refused =
          client.send(
              HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
              HttpResponse.BodyHandlers.ofString());
      // Netty's HttpObjectAggregator answers this one itself, without the responder.
      HttpResponse<String> tooLarge =
          client.send(
              HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[64 * 1024 + 1])).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(ok.version()).isEqualTo(version);
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).startsWith("tls=TLSv1.3 cipher=TLS_AES_128_GCM_SHA256 alpn=" + (version == HttpClient.Version.HTTP_2 ? "h2" : "http/1.1"));
      assertThat(refused.statusCode()).isEqualTo(405);
      assertThat(tooLarge.statusCode()).isEqualTo(413);
      for (HttpResponse<String> response : List.of(ok, refused, tooLarge)) {
        assertThat(response.headers().firstValue(Hsts.HEADER)).contains("max-age=63072000; includeSubDomains; preload");
        assertThat(Hsts.parse(response.headers().firstValue(Hsts.HEADER).orElseThrow()).preloadProblems()).isEmpty();
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
                "curl", "-sS", httpVersion, "--cacert", caPem.toString(), "-D", "-", "-o", "/dev/null",
                "-H", "Expect: a-teapot", "--data-binary", "x", "https://localhost:" + server.port() + "/"));

    assertThat(result.output())
        .containsPattern("(?m)^HTTP/(1\\.1|2) 417")
        .containsIgnoringCase(Hsts.HEADER + ": max-age=63072000; includeSubDomains; preload");
  }

  @Test
  void boringSslClientResumesItsSession() throws Exception {
    PolicyNettyContext client = TlsContexts.client(TRUST).provider(TlsProvider.BORINGSSL).buildNetty();

    Clients.Handshake first = Clients.handshake(client, server.port());
    Clients.Handshake second = Clients.handshake(client, server.port());

    assertThat(first.reused()).isFalse();
    assertThat(second.reused()).isTrue();
    assertThat(second.protocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void opensslResumesWithTheSessionTicket() throws Exception {
    Path session = dir.resolve("openssl.session");
    // -ign_eof keeps reading after the request, so the ticket arrives before the server closes.
    Processes.Result first =
        Processes.run(
            sClientCommand("-tls1_3", "-ign_eof", "-sess_out", session.toString()),
            "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    Processes.Result second = sClient("-tls1_3", "-sess_in", session.toString());

    assertThat(first.output()).contains("New, TLSv1.3, Cipher is TLS_AES_");
    assertThat(first.output()).contains("Verify return code: 0 (ok)");
    assertThat(second.output()).contains("Reused, TLSv1.3");
  }

  @Test
  void opensslTls12OnlyIsRefused() throws Exception {
    int before = FAILURES.size();

    Processes.Result result = sClient("-tls1_2");

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).containsIgnoringCase("alert protocol version");
    HandshakeTest.await(() -> FAILURES.size() > before);
    assertThat(FAILURES.getLast().reason()).contains("TLS 1.2 and older are refused");
  }

  @Test
  void opensslAlpnGetsH2() throws Exception {
    Processes.Result result = sClient("-tls1_3", "-alpn", "h2,http/1.1");

    assertThat(result.output()).contains("ALPN protocol: h2");
  }

  private Processes.Result sClient(String... options) throws Exception {
    return Processes.run(sClientCommand(options));
  }

  private static List<String> sClientCommand(String... options) {
    List<String> command = new java.util.ArrayList<>(List.of(
        "openssl", "s_client", "-connect", "127.0.0.1:" + server.port(), "-servername", "localhost",
        "-CAfile", caPem.toString()));
    command.addAll(List.of(options));
    return command;
  }

  @Test
  void garbageInsteadOfAClientHelloIsDroppedAndTheServerServesOn() throws Exception {
    int before = FAILURES.size();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.write(new byte[512]);
      out.flush();
      assertThat(drain(socket.getInputStream())).isTrue();
    }
    HandshakeTest.await(() -> FAILURES.size() > before);
    assertThat(FAILURES.getLast().reason()).contains("not a TLS record");
    assertStillServing();
  }

  @Test
  void aStalledHalfOpenClientHelloTimesOutWhileOthersAreServed() throws Exception {
    int before = FAILURES.size();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      // The first bytes of a ClientHello record announcing 512 bytes, then nothing more.
      socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00});
      socket.getOutputStream().flush();
      assertStillServing();
      long start = System.nanoTime();
      assertThat(drain(socket.getInputStream())).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }
    HandshakeTest.await(() -> FAILURES.size() > before);
    assertThat(FAILURES.getLast().reason()).contains("did not finish in time");
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

  private static void assertStillServing() throws Exception {
    SSLContext jdk = TlsContexts.client(TRUST).policy(HTTP1_ONLY).buildJdk();
    try (Http1Connection connection = new Http1Connection(jdk, server.port())) {
      assertThat(connection.request("GET", "/").status()).isEqualTo(200);
    }
  }
}
