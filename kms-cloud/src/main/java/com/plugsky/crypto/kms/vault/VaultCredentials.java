package com.plugsky.crypto.kms.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.primitive.Bytes;
import java.time.Duration;
import java.util.Optional;

/**
 * Where the Vault token comes from: a fixed token, or an AppRole login that is repeated when the
 * token is two thirds through its TTL, or after a 403 when {@code auth/token/lookup-self} shows the
 * token itself is no longer valid (revoked or expired early), at most once per {@link
 * AppRole#MIN_RELOGIN_INTERVAL}. A 403 with a valid token is the policy refusing the path, which a
 * new login would not change (it would only spend a secret id use and leave another live token).
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
   * Called after Vault refused {@code token} with 403: whether another token is now current (a
   * fresh login was made), so the refused call is worth one more try.
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
    /** Bounds the logins a token that Vault keeps revoking can cause. */
    static final Duration MIN_RELOGIN_INTERVAL = Duration.ofSeconds(10);

    private final String mount;
    private final String roleId;
    private final String secretId;
    private String token;
    private long renewAtNanos;
    private boolean reloggedIn;
    private long reloggedInAtNanos;

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
      if (!refused.equals(token)) {
        return true;
      }
      boolean reloggedInLately =
          reloggedIn && System.nanoTime() - reloggedInAtNanos < MIN_RELOGIN_INTERVAL.toNanos();
      if (reloggedInLately || isValid(http, refused)) {
        return false;
      }
      login(http);
      reloggedIn = true;
      reloggedInAtNanos = System.nanoTime();
      return true;
    }

    /** Whether Vault still knows {@code token}: any token may look itself up (default policy). */
    private static boolean isValid(VaultHttp http, String token) {
      VaultHttp.Response response = http.get("auth/token/lookup-self", Optional.of(token));
      Bytes.zero(response.body());
      return response.status() != 401 && response.status() != 403;
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
