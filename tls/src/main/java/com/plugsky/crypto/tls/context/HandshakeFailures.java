package com.plugsky.crypto.tls.context;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a failed handshake's exception, from either provider, into one sentence an operator can act
 * on: which side lacked what. The raw exception stays the cause for debugging.
 */
public final class HandshakeFailures {
  /**
   * BoringSSL's reason code at the end of {@code error:10000410:SSL
   * routines:OPENSSL_internal:CODE}.
   */
  private static final Pattern BORINGSSL_CODE =
      Pattern.compile("error:[0-9a-f]+:[^:]*:[^:]*:([A-Z0-9_]+)");

  /**
   * A received alert: BoringSSL's {@code SSLV3_ALERT_X}/{@code TLSV1_ALERT_X}, the JDK's "alert:
   * x".
   */
  private static final Pattern RECEIVED_ALERT =
      Pattern.compile("(?:alert_|received fatal alert: |alert: )([a-z_]+)");

  private static final List<String> CERTIFICATE_ALERTS =
      List.of(
          "unknown_ca",
          "bad_certificate",
          "certificate_unknown",
          "unsupported_certificate",
          "certificate_expired",
          "certificate_revoked");

  private HandshakeFailures() {}

  public static String describe(Throwable failure) {
    CertificateException certificate = null;
    boolean closedEarly = false;
    Set<String> messages = new LinkedHashSet<>();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SslHandshakeTimeoutException) {
        return "the handshake did not finish in time (a stalled or half-open client): "
            + t.getMessage();
      }
      if (t instanceof NotSslRecordException) {
        return notATlsRecord();
      }
      if (t instanceof CertificateException e && certificate == null) {
        certificate = e;
      }
      closedEarly |= t instanceof ClosedChannelException;
      if (t.getMessage() != null) {
        messages.add(t.getMessage());
      }
    }
    if (certificate != null
        && certificate.getMessage() != null
        && certificate.getMessage().startsWith("the ")) {
      return certificate.getMessage();
    }
    String all = String.join(" ", messages).toLowerCase(Locale.ROOT);
    if (all.contains("peer_did_not_return_a_certificate")
        || all.contains("empty client certificate chain")
        || all.contains("certificate_required")) {
      return "the client sent no certificate; this server requires one (mTLS)";
    }
    if (all.contains("unsupported_protocol")
        || all.contains("protocol_version")
        || all.contains("no appropriate protocol")
        || all.contains("not enabled or supported")) {
      return "the peer does not offer TLS 1.3; TLS 1.2 and older are refused";
    }
    if (all.contains("no_shared_group") || all.contains("no common named group")) {
      return "no key-exchange group in common: the peer offers none of the policy's groups";
    }
    if (all.contains("no_shared_cipher") || all.contains("no cipher suites in common")) {
      return "no cipher suite in common: the peer offers none of the policy's TLS 1.3 suites";
    }
    if (all.contains("wrong_version_number")
        || all.contains("unexpected_record")
        || all.contains("http_request")) {
      return notATlsRecord();
    }
    if (all.contains("certificate_verify_failed")) {
      return "the peer's certificate failed verification"
          + (certificate == null ? "" : ": " + certificate.getMessage());
    }
    Matcher alert = RECEIVED_ALERT.matcher(all);
    String received = alert.find() ? alert.group(1) : null;
    if (received != null && CERTIFICATE_ALERTS.contains(received)) {
      return "the peer refused this side's certificate (its alert: " + received + ")";
    }
    if (all.contains("decode_error")
        || all.contains("clienthello_parse_failed")
        || all.contains("excessive_message_size")
        || all.contains("unknown handshake type")
        || all.contains("invalid session id length")) {
      return "the peer sent a malformed handshake message (a broken client, or garbage inside a TLS"
          + " record)";
    }
    if (certificate != null) {
      return "the peer's certificate was refused: " + certificate.getMessage();
    }
    if (received != null) {
      return "the peer ended the handshake with a fatal " + received + " alert";
    }
    if (closedEarly || all.contains("connection closed while")) {
      return "the peer closed the connection before the handshake finished";
    }
    return messages.isEmpty()
        ? "the handshake failed (" + failure.getClass().getSimpleName() + ", no message)"
        : "the handshake failed: " + String.join("; ", readable(messages));
  }

  private static String notATlsRecord() {
    return "the peer sent bytes that are not a TLS record (plaintext HTTP or garbage)";
  }

  /**
   * BoringSSL's error strings reduced to their reason code, which is the part that says anything.
   */
  private static List<String> readable(Set<String> messages) {
    return messages.stream()
        .map(
            message -> {
              Matcher code = BORINGSSL_CODE.matcher(message);
              return code.find() ? "BoringSSL " + code.group(1) : message;
            })
        .distinct()
        .toList();
  }
}
