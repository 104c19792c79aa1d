package com.plugsky.crypto.keyref;

import com.plugsky.crypto.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Names a key-encryption key by URI, so that configuration, message headers and audit records all
 * speak of a key the same way. One subclass per {@link KeyRefScheme}:
 *
 * <ul>
 *   <li>{@code local:default}, {@code local:orders}: {@link LocalKeyRef}
 *   <li>{@code pkcs11:token=hsm1;object=kek;type=secret-key}: {@link Pkcs11KeyRef} (RFC 7512)
 *   <li>{@code aws-kms:arn:aws:kms:eu-west-1:111122223333:key/<uuid>}, {@code
 *       aws-kms:alias/orders?region=eu-west-1}: {@link AwsKmsKeyRef}
 *   <li>{@code azure-kv:https://myvault.vault.azure.net/keys/orders/<version>}: {@link
 *       AzureKeyVaultKeyRef}
 *   <li>{@code vault-transit:transit/orders?version=3}: {@link VaultTransitKeyRef}
 *   <li>{@code gcp-kms:projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k}: {@link
 *       GcpKmsKeyRef}
 * </ul>
 *
 * <p>{@link #toString()} is the normalised URI: the scheme in lower case, then the scheme's own
 * canonical spelling (see each subclass). Two KeyRefs are equal when their normalised forms are, so
 * a KeyRef read back from a message header equals the one the message was written under. The
 * normalised form never holds a secret: a PKCS#11 {@code pin-value} is printed redacted.
 *
 * <p>Parsing is strict: a URI this library would read in more than one way, or with parts it would
 * silently ignore, is rejected with an {@link InvalidInputException} that names the problem.
 * Instances are immutable and thread-safe.
 */
public abstract sealed class KeyRef
    permits LocalKeyRef,
        Pkcs11KeyRef,
        AwsKmsKeyRef,
        AzureKeyVaultKeyRef,
        VaultTransitKeyRef,
        GcpKmsKeyRef {

  /** Longest URI accepted; KeyRefs are copied into every message header and audit record. */
  public static final int MAX_LENGTH = 2048;

  private final String normalized;

  KeyRef(String normalized) {
    this.normalized = normalized;
  }

  /**
   * Parses a KeyRef URI. The scheme is case-insensitive; everything after it follows the rules of
   * that scheme's class.
   *
   * @throws InvalidInputException when the URI is malformed; the message names what is wrong and
   *     never repeats a PIN
   */
  public static KeyRef parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (uri.isEmpty()) {
      throw new InvalidInputException("KeyRef URI is empty");
    }
    if (uri.length() > MAX_LENGTH) {
      throw new InvalidInputException(
          "KeyRef URI is " + uri.length() + " characters long; the limit is " + MAX_LENGTH);
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        // The character itself is not printed: it could belong to a PIN.
        throw new InvalidInputException(
            "KeyRef URI has a space, control or non-ASCII character at index "
                + i
                + "; URIs carry such characters percent-encoded");
      }
    }
    int colon = uri.indexOf(':');
    if (colon < 0) {
      throw new InvalidInputException(
          "KeyRef URI has no scheme; it must start with one of " + prefixes());
    }
    String schemeName = uri.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = uri.substring(colon + 1);
    KeyRefScheme scheme =
        Arrays.stream(KeyRefScheme.values())
            .filter(s -> s.schemeName().equals(schemeName))
            .findFirst()
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "unknown KeyRef scheme '"
                            + abbreviate(schemeName)
                            + "'; expected one of "
                            + prefixes()));
    return switch (scheme) {
      case LOCAL -> LocalKeyRef.parseName(rest);
      case PKCS11 -> Pkcs11UriParser.parse(rest);
      case AWS_KMS -> AwsKmsKeyRef.parseKeyId(rest);
      case AZURE_KV -> AzureKeyVaultKeyRef.parseKeyUrl(rest);
      case VAULT_TRANSIT -> VaultTransitKeyRef.parsePath(rest);
      case GCP_KMS -> GcpKmsKeyRef.parseResourceName(rest);
    };
  }

  /** Which backend family holds the key. */
  public abstract KeyRefScheme scheme();

  /**
   * The region the key lives in, when the URI says: the AWS region of an ARN or of {@code
   * ?region=}, the GCP location. Routing by region (one KeyRef per region) relies on this.
   */
  public Optional<String> region() {
    return Optional.empty();
  }

  /**
   * The part of the normalised URI that names the key, without how this host reaches it. Hosts that
   * share a key may reach it differently (a PKCS#11 module path or PIN source), so messages match
   * their KEKs by identity. Only {@code pkcs11:} has such access details (its query); every other
   * scheme's URI is all name.
   */
  public String identity() {
    return normalized;
  }

  /**
   * Whether {@code uri}, e.g. a KeyRef read back from a message header, names the same key as this
   * one: their {@link #identity() identities} are equal. A URI that does not parse names no key.
   */
  public final boolean namesSameKey(String uri) {
    Objects.requireNonNull(uri, "uri");
    if (normalized.equals(uri)) {
      return true;
    }
    String prefix = scheme().prefix();
    if (!uri.regionMatches(true, 0, prefix, 0, prefix.length())) {
      return false;
    }
    try {
      return identity().equals(parse(uri).identity());
    } catch (InvalidInputException e) {
      return false;
    }
  }

  /** The normalised URI; holds no secret. */
  @Override
  public final String toString() {
    return normalized;
  }

  @Override
  public final boolean equals(Object other) {
    return other instanceof KeyRef that && normalized.equals(that.normalized);
  }

  @Override
  public final int hashCode() {
    return normalized.hashCode();
  }

  private static String prefixes() {
    return Arrays.stream(KeyRefScheme.values()).map(KeyRefScheme::prefix).toList().toString();
  }

  static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
