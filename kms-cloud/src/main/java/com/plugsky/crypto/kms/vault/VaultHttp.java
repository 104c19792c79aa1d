package com.plugsky.crypto.kms.vault;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.kms.retry.RetryAfter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

/**
 * Vault's HTTP API on {@code java.net.http}: one request per call, bounded by the attempt timeout,
 * with the token and namespace headers. Transport failures become {@link KeyUnavailableException}
 * (retryable), except an untrusted TLS certificate ({@link ConfigurationException}); statuses are
 * left to the caller, which knows what a 400 means for its operation.
 */
final class VaultHttp implements AutoCloseable {
  private static final String TOKEN_HEADER = "X-Vault-Token";
  private static final String NAMESPACE_HEADER = "X-Vault-Namespace";

  private final URI address;
  private final Optional<String> namespace;
  private final Duration attemptTimeout;
  private final HttpClient client;

  /** A status and body; the body may hold a data key in base64, so callers zero it after use. */
  record Response(int status, byte[] body, Optional<Duration> retryAfter) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  VaultHttp(
      URI address, Optional<String> namespace, Optional<SSLContext> tls, Duration attemptTimeout) {
    this.address = address;
    this.namespace = namespace;
    this.attemptTimeout = attemptTimeout;
    HttpClient.Builder builder =
        HttpClient.newBuilder()
            // Vault speaks HTTP/2 only over TLS; plain h2c upgrades are not worth a round trip.
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(attemptTimeout)
            .followRedirects(HttpClient.Redirect.NEVER);
    tls.ifPresent(builder::sslContext);
    this.client = builder.build();
  }

  URI address() {
    return address;
  }

  Response post(String path, byte[] body, Optional<String> token) {
    return send(
        path, token, HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  Response get(String path, Optional<String> token) {
    return send(path, token, HttpRequest.newBuilder().GET());
  }

  private Response send(String path, Optional<String> token, HttpRequest.Builder request) {
    request.uri(address.resolve("/v1/" + path)).timeout(attemptTimeout);
    request.header("Content-Type", "application/json");
    token.ifPresent(value -> request.header(TOKEN_HEADER, value));
    namespace.ifPresent(value -> request.header(NAMESPACE_HEADER, value));
    try {
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(
          response.statusCode(),
          response.body(),
          RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null)));
    } catch (SSLHandshakeException e) {
      if (untrusted(e)) {
        throw new ConfigurationException(
            "Vault at "
                + address
                + " presented a TLS certificate that is not trusted: set its CA with VAULT_CACERT"
                + " or caCertificates(...)",
            e);
      }
      throw new KeyUnavailableException(
          "TLS handshake with Vault at " + address + " failed for " + path + ": " + e, e);
    } catch (HttpTimeoutException e) {
      throw new KeyUnavailableException(
          "Vault at " + address + " did not answer " + path + " within " + attemptTimeout, e);
    } catch (IOException e) {
      throw new KeyUnavailableException(
          "Vault at " + address + " could not be reached for " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KeyUnavailableException(
          "interrupted while waiting for Vault at " + address + " (" + path + ")", e);
    }
  }

  /** A certificate that does not verify will not verify on the next attempt either. */
  private static boolean untrusted(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CertificateException || cause instanceof CertPathValidatorException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    client.close();
  }
}
