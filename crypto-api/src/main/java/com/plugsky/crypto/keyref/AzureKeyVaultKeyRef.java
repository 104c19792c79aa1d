package com.plugsky.crypto.keyref;

import com.plugsky.crypto.InvalidInputException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code azure-kv:https://<vault>.vault.azure.net/keys/<name>[/<version>]}: an Azure Key Vault or
 * Managed HSM key, by the key URL the Azure SDK takes.
 *
 * <p>The URL must be {@code https}, with no port, query or fragment, on a Key Vault host ({@code
 * .vault.azure.net}, {@code .vault.azure.cn}, {@code .vault.usgovcloudapi.net}, {@code
 * .vault.microsoftazure.de}) or a Managed HSM host ({@code .managedhsm.azure.net}, {@code
 * .managedhsm.azure.cn}, {@code .managedhsm.usgovcloudapi.net}): a KeyRef that sent the data key to
 * any other host would hand it to whoever runs that host. The vault name is 3-24 characters of
 * {@code a-z 0-9 -}, starting with a letter, ending with a letter or digit, with no {@code --}; the
 * key name 1-127 characters of {@code a-z A-Z 0-9 -}; the version 32 lower-case hex digits. The
 * normalised form writes the host in lower case (host names are case-insensitive).
 */
public final class AzureKeyVaultKeyRef extends KeyRef {
  private static final List<String> VAULT_SUFFIXES =
      List.of(
          ".vault.azure.net",
          ".vault.azure.cn",
          ".vault.usgovcloudapi.net",
          ".vault.microsoftazure.de");
  private static final List<String> MANAGED_HSM_SUFFIXES =
      List.of(".managedhsm.azure.net", ".managedhsm.azure.cn", ".managedhsm.usgovcloudapi.net");
  private static final List<String> ALL_SUFFIXES =
      Stream.concat(VAULT_SUFFIXES.stream(), MANAGED_HSM_SUFFIXES.stream()).toList();
  private static final Pattern URL = Pattern.compile("(?i:https)://([^/?#]*)(/[^?#]*)?(.*)");
  private static final Pattern VAULT_NAME = Pattern.compile("[a-z][a-z0-9-]{1,22}[a-z0-9]");
  private static final Pattern KEY_PATH =
      Pattern.compile("/keys/([a-zA-Z0-9-]{1,127})(?:/([0-9a-f]{32}))?");

  private final String vaultHost;
  private final String keyName;
  private final Optional<String> version;

  private AzureKeyVaultKeyRef(String vaultHost, String keyName, Optional<String> version) {
    super(
        KeyRefScheme.AZURE_KV.prefix()
            + "https://"
            + vaultHost
            + "/keys/"
            + keyName
            + version.map(v -> "/" + v).orElse(""));
    this.vaultHost = vaultHost;
    this.keyName = keyName;
    this.version = version;
  }

  static AzureKeyVaultKeyRef parseKeyUrl(String text) {
    Matcher url = URL.matcher(text);
    if (!url.matches()) {
      throw new InvalidInputException(
          "azure-kv: KeyRef must be an https key URL, e.g."
              + " azure-kv:https://myvault.vault.azure.net/keys/orders");
    }
    String host = url.group(1).toLowerCase(Locale.ROOT);
    String path = url.group(2) == null ? "" : url.group(2);
    if (!url.group(3).isEmpty()) {
      throw new InvalidInputException("azure-kv: the key URL must have no query or fragment");
    }
    if (host.contains(":") || host.contains("@")) {
      throw new InvalidInputException(
          "azure-kv: the key URL's host must be a bare vault host, with no port or user");
    }
    String suffix =
        ALL_SUFFIXES.stream()
            .filter(host::endsWith)
            .findFirst()
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "azure-kv: host '"
                            + abbreviate(host)
                            + "' is not a Key Vault or Managed HSM host (such as"
                            + " <name>.vault.azure.net or <name>.managedhsm.azure.net)"));
    String vaultName = host.substring(0, host.length() - suffix.length());
    if (!VAULT_NAME.matcher(vaultName).matches() || vaultName.contains("--")) {
      throw new InvalidInputException(
          "azure-kv: vault name '"
              + abbreviate(vaultName)
              + "' must be 3-24 characters of a-z, 0-9"
              + " and '-', start with a letter, end with a letter or digit, and hold no '--'");
    }
    Matcher key = KEY_PATH.matcher(path);
    if (!key.matches()) {
      throw new InvalidInputException(
          "azure-kv: path '"
              + abbreviate(path)
              + "' must be /keys/<name> or /keys/<name>/<version>,"
              + " the name 1-127 characters of letters, digits and '-', the version 32 lower-case"
              + " hex digits");
    }
    return new AzureKeyVaultKeyRef(host, key.group(1), Optional.ofNullable(key.group(2)));
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.AZURE_KV;
  }

  /** {@code https://<host>}: the vault URL the Azure SDK's key client is built for. */
  public String vaultUrl() {
    return "https://" + vaultHost;
  }

  /** The key's name within the vault. */
  public String keyName() {
    return keyName;
  }

  /** The pinned key version; empty means the key's current version. */
  public Optional<String> version() {
    return version;
  }

  /** Whether the key lives in a Managed HSM rather than a Key Vault. */
  public boolean isManagedHsm() {
    return MANAGED_HSM_SUFFIXES.stream().anyMatch(vaultHost::endsWith);
  }
}
