package com.plugsky.crypto.tls.context;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.security.cert.CertificateException;
import java.util.Locale;

/**
 * Turns a failed handshake's exception, from either provider, into one sentence an operator can act
 * on: which side lacked what. The raw exception stays the cause for debugging.
 */
public final class HandshakeFailures {
  private HandshakeFailures() {}

  public static String describe(Throwable failure) {
    CertificateException certificate = null;
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SslHandshakeTimeoutException) {
        return "the handshake did not finish in time (a stalled or half-open client): " + t.getMessage();
      }
      if (t instanceof NotSslRecordException) {
        return "the peer sent bytes that are not a TLS record (plaintext HTTP or garbage)";
      }
      if (t instanceof CertificateException e && certificate == null) {
        certificate = e;
      }
      messages.append(' ').append(t.getMessage());
      if (t.getCause() == t) {
        break;
      }
    }
    if (certificate != null && certificate.getMessage() != null
        && certificate.getMessage().startsWith("the ")) {
      return certificate.getMessage();
    }
    String all = messages.toString().toLowerCase(Locale.ROOT);
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
    if (all.contains("certificate_verify_failed")
        || all.contains("unknown_ca")
        || all.contains("bad_certificate")
        || all.contains("certificate_unknown")) {
      return "the peer's certificate was refused:" + messages;
    }
    if (all.contains("wrong_version_number") || all.contains("unexpected_record")) {
      return "the peer sent bytes that are not a TLS record (plaintext HTTP or garbage)";
    }
    if (certificate != null) {
      return "the peer's certificate was refused: " + certificate.getMessage();
    }
    return "handshake failed:" + messages;
  }
}
