package com.plugsky.crypto.tls.context;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLProtocolException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The sentence for each kind of failure, from the messages both providers really produce. */
class HandshakeFailuresTest {
  private static final String NO_GROUP =
      "no key-exchange group in common: the peer offers none of the policy's groups";
  private static final String NO_SUITE =
      "no cipher suite in common: the peer offers none of the policy's TLS 1.3 suites";
  private static final String NOT_TLS =
      "the peer sent bytes that are not a TLS record (plaintext HTTP or garbage)";
  private static final String MALFORMED =
      "the peer sent a malformed handshake message (a broken client, or garbage inside a TLS"
          + " record)";

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(
            new SslHandshakeTimeoutException("handshake timed out after 700ms"),
            "the handshake did not finish in time (a stalled or half-open client): handshake timed"
                + " out after 700ms"),
        Arguments.of(
            new DecoderException(new NotSslRecordException("not an SSL/TLS record: 474554")),
            NOT_TLS),
        Arguments.of(boringSsl("WRONG_VERSION_NUMBER"), NOT_TLS),
        Arguments.of(boringSsl("HTTP_REQUEST"), NOT_TLS),
        Arguments.of(boringSsl("NO_SHARED_GROUP"), NO_GROUP),
        Arguments.of(
            new SSLHandshakeException("(unexpected_message) No common named group"), NO_GROUP),
        Arguments.of(boringSsl("NO_SHARED_CIPHER"), NO_SUITE),
        Arguments.of(
            new SSLHandshakeException("(handshake_failure) no cipher suites in common"), NO_SUITE),
        Arguments.of(
            boringSsl("UNSUPPORTED_PROTOCOL"),
            "the peer does not offer TLS 1.3; TLS 1.2 and older are refused"),
        Arguments.of(
            boringSsl("PEER_DID_NOT_RETURN_A_CERTIFICATE"),
            "the client sent no certificate; this server requires one (mTLS)"),
        Arguments.of(
            boringSsl("CERTIFICATE_VERIFY_FAILED"), "the peer's certificate failed verification"),
        Arguments.of(
            new SSLHandshakeException(
                    "error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED")
                .initCause(new CertificateException("PKIX path building failed")),
            "the peer's certificate failed verification: PKIX path building failed"),
        Arguments.of(
            new SSLHandshakeException("General OpenSslEngine problem")
                .initCause(
                    new CertificateException(
                        "the server certificate CN=localhost is not trusted: PKIX")),
            "the server certificate CN=localhost is not trusted: PKIX"),
        Arguments.of(
            boringSsl("TLSV1_ALERT_UNKNOWN_CA"),
            "the peer refused this side's certificate (its alert: unknown_ca)"),
        Arguments.of(
            new SSLHandshakeException(
                "(certificate_unknown) Received fatal alert: certificate_unknown"),
            "the peer refused this side's certificate (its alert: certificate_unknown)"),
        Arguments.of(
            new SSLException(
                "Unexpected exception Unexpected plaintext alert received: Level: fatal; Alert:"
                    + " unknown_ca"),
            "the peer refused this side's certificate (its alert: unknown_ca)"),
        Arguments.of(
            boringSsl("SSLV3_ALERT_HANDSHAKE_FAILURE"),
            "the peer ended the handshake with a fatal handshake_failure alert"),
        Arguments.of(
            new SSLProtocolException(
                "(unexpected_message) Received fatal alert: unexpected_message"),
            "the peer ended the handshake with a fatal unexpected_message alert"),
        Arguments.of(boringSsl("CLIENTHELLO_PARSE_FAILED"), MALFORMED),
        Arguments.of(boringSsl("EXCESSIVE_MESSAGE_SIZE"), MALFORMED),
        Arguments.of(
            new SSLHandshakeException("Unknown handshake type size, Handshake.msg_type = 156"),
            MALFORMED),
        Arguments.of(new SSLException("Invalid session ID length (57 bytes)"), MALFORMED),
        Arguments.of(
            new ClosedChannelException(),
            "the peer closed the connection before the handshake finished"),
        Arguments.of(
            new SSLException((String) null), "the handshake failed (SSLException, no message)"),
        Arguments.of(
            new DecoderException(boringSsl("BAD_ECC_CERT")),
            "the handshake failed: BoringSSL BAD_ECC_CERT"));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void describesEachFailureInASentence(Throwable failure, String sentence) {
    assertThat(HandshakeFailures.describe(failure)).isEqualTo(sentence).doesNotContain("null");
  }

  private static SSLHandshakeException boringSsl(String code) {
    return new SSLHandshakeException("error:10000410:SSL routines:OPENSSL_internal:" + code);
  }
}
