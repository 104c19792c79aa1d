package com.plugsky.crypto.kms.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpResponse;
import com.azure.identity.CredentialUnavailableException;
import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.kms.retry.RetryAfter;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Turns what the Azure SDK throws into this library's typed failures. Messages carry the HTTP
 * status and Key Vault's request id (for a support case), never the response body or a token.
 *
 * <ul>
 *   <li>408, 429, 5xx, and anything without a response (connection refused, TLS, timeouts): {@link
 *       KeyUnavailableException}, retryable, carrying the vault's {@code Retry-After} when it sent
 *       one so that the retry policy waits that long.
 *   <li>401, 403 (no permission, disabled key, firewall): {@link KeyAccessDeniedException}.
 *   <li>404 (no such key or version, or a deleted one): {@link KeyAccessDeniedException} as well:
 *       retrying cannot bring a key back, and a deleted key acts like a revoked one. An envelope
 *       with several KEKs moves on to the next.
 *   <li>400 on unwrap: {@link AuthenticationFailedException}; Key Vault refuses a wrapping that
 *       does not decrypt under the key (a wrong key version, or modified bytes) as a bad parameter.
 *       On wrap, and any other status: {@link ConfigurationException} (an algorithm the key's type
 *       does not support, a key without the wrapKey operation, an API version the vault lacks).
 *   <li>No credential in the environment: {@link ConfigurationException}.
 * </ul>
 */
final class KeyVaultFailures {
  private static final HttpHeaderName REQUEST_ID = HttpHeaderName.fromString("x-ms-request-id");
  private static final HttpHeaderName RETRY_AFTER_MS = HttpHeaderName.fromString("retry-after-ms");
  private static final HttpHeaderName X_MS_RETRY_AFTER_MS =
      HttpHeaderName.fromString("x-ms-retry-after-ms");

  private KeyVaultFailures() {}

  static CryptoException map(String operation, RuntimeException failure, boolean unwrapping) {
    if (failure instanceof CryptoException typed) {
      return typed;
    }
    // The SDK throws its exceptions directly on the sync path, but may wrap them (reactive
    // internals, UncheckedIOException); the first Azure exception in the chain decides.
    Throwable azure = firstAzureException(failure);
    if (azure instanceof CredentialUnavailableException) {
      return new ConfigurationException(
          operation
              + ": no Azure credential is available (set AZURE_CLIENT_ID/AZURE_TENANT_ID with a"
              + " secret or certificate, use a managed identity, or sign in with the Azure CLI)",
          failure);
    }
    if (azure instanceof HttpResponseException http && http.getResponse() != null) {
      return byStatus(operation, http.getResponse(), failure, unwrapping);
    }
    if (azure instanceof ClientAuthenticationException) {
      return new KeyAccessDeniedException(
          operation + ": Azure refused to issue a token for Key Vault", failure);
    }
    return new KeyUnavailableException(
        operation + ": Key Vault could not be reached (" + failure.getClass().getSimpleName() + ")",
        failure);
  }

  /**
   * The wait Key Vault asked for: {@code retry-after-ms} or {@code x-ms-retry-after-ms} in
   * milliseconds, else {@code Retry-After} in seconds or as an HTTP date. An unreadable value is
   * ignored: the backoff still applies.
   */
  static Optional<Duration> retryAfter(HttpResponse response) {
    for (HttpHeaderName name : List.of(RETRY_AFTER_MS, X_MS_RETRY_AFTER_MS)) {
      String millis = response.getHeaderValue(name);
      if (millis != null && millis.strip().matches("[0-9]{1,12}")) {
        return Optional.of(Duration.ofMillis(Long.parseLong(millis.strip())));
      }
    }
    return RetryAfter.parse(response.getHeaderValue(HttpHeaderName.RETRY_AFTER));
  }

  private static Throwable firstAzureException(Throwable failure) {
    int depth = 0;
    for (Throwable t = failure; t != null && depth < 10; t = t.getCause(), depth++) {
      if (t instanceof HttpResponseException || t instanceof CredentialUnavailableException) {
        return t;
      }
    }
    return failure;
  }

  private static CryptoException byStatus(
      String operation, HttpResponse response, RuntimeException failure, boolean unwrapping) {
    int status = response.getStatusCode();
    String requestId = response.getHeaderValue(REQUEST_ID);
    String said =
        operation
            + ": Key Vault answered HTTP "
            + status
            + (requestId == null ? "" : " (x-ms-request-id " + requestId + ")");
    if (status == 408 || status == 429 || status >= 500) {
      return RetryAfter.unavailable(said, failure, retryAfter(response));
    }
    return switch (status) {
      case 401, 403 ->
          new KeyAccessDeniedException(
              said + ": this identity may not use the key, or the key is disabled", failure);
      case 404 ->
          new KeyAccessDeniedException(
              said + ": no such key or key version (deleted, or never in this vault)", failure);
      case 400 ->
          unwrapping
              ? new AuthenticationFailedException(
                  said
                      + ": the wrapped key does not unwrap under that key version (modified bytes,"
                      + " or another key's wrapping)",
                  failure)
              : new ConfigurationException(
                  said + ": the key does not accept this wrap request (key type or algorithm)",
                  failure);
      default -> new ConfigurationException(said, failure);
    };
  }
}
