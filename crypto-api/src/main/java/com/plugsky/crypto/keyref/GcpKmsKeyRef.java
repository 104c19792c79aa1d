package com.plugsky.crypto.keyref;

import com.plugsky.crypto.InvalidInputException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code gcp-kms:projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>}, with an
 * optional {@code /cryptoKeyVersions/<n>}: a Google Cloud KMS key by its resource name.
 *
 * <p>The project is a project id ({@code my-project}), a domain-scoped id ({@code
 * example.com:my-project}) or a project number; the location is a region, multi-region or {@code
 * global}, exposed as {@link #region()}; key ring and key ids are 1-63 characters of letters,
 * digits, {@code _} and {@code -}. The collection names are case-sensitive, as in the KMS API.
 */
public final class GcpKmsKeyRef extends KeyRef {
  private static final Pattern RESOURCE =
      Pattern.compile(
          "projects/([^/]+)/locations/([^/]+)/keyRings/([^/]+)/cryptoKeys/([^/]+)"
              + "(?:/cryptoKeyVersions/([^/]+))?");
  private static final Pattern PROJECT =
      Pattern.compile("(?:[a-z0-9.-]{1,63}:)?[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20}");
  private static final Pattern LOCATION = Pattern.compile("[a-z][a-z0-9-]{0,62}");
  private static final Pattern ID = Pattern.compile("[a-zA-Z0-9_-]{1,63}");
  private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

  private final String project;
  private final String location;
  private final String cryptoKeyName;
  private final OptionalLong version;

  private GcpKmsKeyRef(
      String resourceName,
      String project,
      String location,
      String cryptoKeyName,
      OptionalLong version) {
    super(KeyRefScheme.GCP_KMS.prefix() + resourceName);
    this.project = project;
    this.location = location;
    this.cryptoKeyName = cryptoKeyName;
    this.version = version;
  }

  static GcpKmsKeyRef parseResourceName(String text) {
    Matcher resource = RESOURCE.matcher(text);
    if (!resource.matches()) {
      throw new InvalidInputException(
          "gcp-kms: KeyRef must be"
              + " projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key> with an"
              + " optional /cryptoKeyVersions/<n>");
    }
    String project = resource.group(1);
    String location = resource.group(2);
    check(
        PROJECT,
        project,
        "project '"
            + abbreviate(project)
            + "' must be a project id (6-30 of a-z, 0-9, '-', starting with a letter), a"
            + " domain-scoped id, or a project number");
    check(
        LOCATION,
        location,
        "location '"
            + abbreviate(location)
            + "' must be a region, multi-region or 'global' in lower case");
    check(
        ID,
        resource.group(3),
        "key ring '"
            + abbreviate(resource.group(3))
            + "' must be 1-63 letters, digits, '_' or '-'");
    check(
        ID,
        resource.group(4),
        "crypto key '"
            + abbreviate(resource.group(4))
            + "' must be 1-63 letters, digits, '_' or '-'");
    OptionalLong version = OptionalLong.empty();
    if (resource.group(5) != null) {
      check(
          VERSION,
          resource.group(5),
          "crypto key version '"
              + abbreviate(resource.group(5))
              + "' must be a positive integer without leading zeros");
      version = OptionalLong.of(Long.parseLong(resource.group(5)));
    }
    String cryptoKeyName = text.substring(0, resource.end(4));
    return new GcpKmsKeyRef(text, project, location, cryptoKeyName, version);
  }

  private static void check(Pattern pattern, String value, String problem) {
    if (!pattern.matcher(value).matches()) {
      throw new InvalidInputException("gcp-kms: " + problem);
    }
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.GCP_KMS;
  }

  /** The project id or number. */
  public String project() {
    return project;
  }

  /** The key's location, e.g. {@code europe-west1}, {@code us} or {@code global}. */
  @Override
  public Optional<String> region() {
    return Optional.of(location);
  }

  /**
   * The crypto key's resource name without any version: what Cloud KMS encrypt and decrypt take,
   * since a symmetric key encrypts under its primary version and records the version in its
   * ciphertext.
   */
  public String cryptoKeyName() {
    return cryptoKeyName;
  }

  /** The crypto key version named by the URI, if any. */
  public OptionalLong version() {
    return version;
  }
}
