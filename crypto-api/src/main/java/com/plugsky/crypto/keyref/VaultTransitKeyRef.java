package com.plugsky.crypto.keyref;

import com.plugsky.crypto.InvalidInputException;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * {@code vault-transit:<mount>/<key>[?version=<n>]}: a key in a HashiCorp Vault transit secrets
 * engine.
 *
 * <p>The mount path is one or more segments (Vault allows nested mounts such as {@code
 * team-a/transit}); the key name is the last segment. Segments are letters, digits, {@code . _ -},
 * and neither {@code .} nor {@code ..}, since they are placed into request paths. {@code version}
 * is a positive integer pinning the key version that wraps; without it Vault uses the latest.
 * Vault's address and token are backend configuration, not part of the KeyRef.
 */
public final class VaultTransitKeyRef extends KeyRef {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,8}");

  private final String mount;
  private final String keyName;
  private final OptionalInt version;

  private VaultTransitKeyRef(String mount, String keyName, OptionalInt version) {
    super(
        KeyRefScheme.VAULT_TRANSIT.prefix()
            + mount
            + "/"
            + keyName
            + (version.isPresent() ? "?version=" + version.getAsInt() : ""));
    this.mount = mount;
    this.keyName = keyName;
    this.version = version;
  }

  static VaultTransitKeyRef parsePath(String text) {
    int question = text.indexOf('?');
    String path = question < 0 ? text : text.substring(0, question);
    OptionalInt version =
        question < 0
            ? OptionalInt.empty()
            : OptionalInt.of(parseVersion(text.substring(question + 1)));
    int slash = path.lastIndexOf('/');
    if (slash <= 0 || slash == path.length() - 1) {
      throw new InvalidInputException(
          "vault-transit: KeyRef must be <mount>/<key name>, e.g. vault-transit:transit/orders");
    }
    for (String segment : path.split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches() || segment.equals(".") || segment.equals("..")) {
        throw new InvalidInputException(
            "vault-transit: path segment '"
                + abbreviate(segment)
                + "' must be 1-128 letters, digits,"
                + " '.', '_' or '-', and not '.' or '..'");
      }
    }
    return new VaultTransitKeyRef(path.substring(0, slash), path.substring(slash + 1), version);
  }

  private static int parseVersion(String query) {
    if (!query.startsWith("version=") || query.indexOf('&') >= 0) {
      throw new InvalidInputException(
          "vault-transit: the only query parameter is version, e.g."
              + " vault-transit:transit/orders?version=3");
    }
    String digits = query.substring("version=".length());
    if (!VERSION.matcher(digits).matches()) {
      throw new InvalidInputException(
          "vault-transit: version '"
              + abbreviate(digits)
              + "' must be a positive integer without leading zeros");
    }
    return Integer.parseInt(digits);
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.VAULT_TRANSIT;
  }

  /** The transit engine's mount path, e.g. {@code transit} or {@code team-a/transit}. */
  public String mount() {
    return mount;
  }

  /** The transit key's name. */
  public String keyName() {
    return keyName;
  }

  /** The pinned key version; empty means Vault's latest. */
  public OptionalInt version() {
    return version;
  }
}
