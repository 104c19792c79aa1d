package com.plugsky.crypto.kms.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the Vault token comes from: a fixed token, or an AppRole login that is repeated when the
 * token is two thirds through its TTL or when Vault refuses it with 403 (revoked or expired early).
 * The token and secret id are never printed.
 */
abstract sealed class VaultCredentials {

  static VaultCredentials token(String token) {
    return new Fixed(token);
  }

  static VaultCredentials appRole(String mount, String roleId, String secretId) {
    return new AppRole(mount, roleId, secretId);
  }

  /** The token to send now, logging in first when needed. */
  abstract String current(VaultHttp http);

  /**
   * Called after Vault refused {@code token} with 403: whether a fresh login was made, so the
   * refused call is worth one more try.
   */
  abstract boolean refreshAfterDenial(VaultHttp http, String token);

  @Override
  public final String toString() {
    return getClass().getSimpleName() + "[token redacted]";
  }

  private static final class Fixed extends VaultCredentials {
    private final String token;

    Fixed(String token) {
      this.token = token;
    }

    @Override
    String current(VaultHttp http) {
      return token;
    }

    @Override
    boolean refreshAfterDenial(VaultHttp http, String refused) {
      return false;
    }
  }

  private static final class AppRole extends VaultCredentials {
    private final String mount;
    private final String roleId;
    private final String secretId;
    private String token;
    private long renewAtNanos;

    AppRole(String mount, String roleId, String secretId) {
      this.mount = mount;
      this.roleId = roleId;
      this.secretId = secretId;
    }

    @Override
    synchronized String current(VaultHttp http) {
      if (token == null || System.nanoTime() - renewAtNanos >= 0) {
        login(http);
      }
      return token;
    }

    @Override
    synchronized boolean refreshAfterDenial(VaultHttp http, String refused) {
      if (refused.equals(token)) {
        login(http);
      }
      return true;
    }

    private void login(VaultHttp http) {
      byte[] body =
          VaultJson.object(
              json -> {
                json.writeStringField("role_id", roleId);
                json.writeStringField("secret_id", secretId);
              });
      VaultHttp.Response response = http.post("auth/" + mount + "/login", body, Optional.empty());
      if (response.status() == 400 || response.status() == 403) {
        throw new KeyAccessDeniedException(
            "Vault refused the AppRole login at auth/"
                + mount
                + " ("
                + response.status()
                + "): check the role id and secret id");
      }
      if (!response.ok()) {
        throw new KeyUnavailableException(
            "Vault AppRole login at auth/"
                + mount
                + " failed with HTTP "
                + response.status()
                + ": "
                + VaultJson.firstError(response.body()));
      }
      JsonNode auth = VaultJson.tree(response.body()).path("auth");
      JsonNode clientToken = auth.path("client_token");
      if (!clientToken.isTextual() || clientToken.asText().isEmpty()) {
        throw new KeyUnavailableException(
            "Vault AppRole login at auth/" + mount + " answered without auth.client_token");
      }
      long ttlSeconds = Math.max(0, auth.path("lease_duration").asLong(0));
      token = clientToken.asText();
      // A TTL of 0 means the token does not expire; otherwise log in again before it does.
      Duration renewAfter =
          ttlSeconds == 0
              ? Duration.ofDays(3650)
              : Duration.ofSeconds(ttlSeconds).multipliedBy(2).dividedBy(3);
      renewAtNanos = System.nanoTime() + renewAfter.toNanos();
    }
  }
}
