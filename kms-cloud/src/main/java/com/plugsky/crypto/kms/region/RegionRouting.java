package com.plugsky.crypto.kms.region;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.SequencedMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which key-encryption key serves each region, and which region this service runs in. Any KeyRef
 * scheme fits (an AWS KMS key per AWS region, an Azure vault, a Vault cluster, an HSM per data
 * centre), since a region here is just a name the configuration chooses.
 *
 * <ul>
 *   <li>Encryption wraps every data key under the local region's key, and with {@link
 *       Builder#encryptUnderAllRegions} under every region's key as well, so any region can open
 *       the message on its own.
 *   <li>Decryption tries the local region's key first, then the others in configuration order, so a
 *       message opens locally when it can and in another region when the local one is down.
 * </ul>
 *
 * <pre>{@code
 * RegionRouting routing = RegionRouting.builder("eu-west-1")
 *     .region("eu-west-1", KeyRef.parse("aws-kms:arn:aws:kms:eu-west-1:111122223333:key/..."))
 *     .region("us-east-1", KeyRef.parse("aws-kms:arn:aws:kms:us-east-1:111122223333:key/..."))
 *     .encryptUnderAllRegions(true)
 *     .build();
 * Envelope envelope = routing.applyTo(Envelope.builder()).build();
 * }</pre>
 *
 * <p>Or from properties ({@link #fromProperties}): {@code local-region=eu-west-1}, {@code
 * encrypt-under=local} or {@code all}, and one {@code region.<name>=<KeyRef>} per region. Immutable
 * and thread-safe.
 */
public final class RegionRouting {
  private static final Pattern REGION_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  private final String localRegion;
  private final SequencedMap<String, KeyRef> keys;
  private final boolean encryptUnderAllRegions;

  private RegionRouting(Builder builder) {
    this.localRegion = builder.localRegion;
    this.keys = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(builder.keys));
    this.encryptUnderAllRegions = builder.encryptUnderAllRegions;
  }

  /** Routing for a service running in {@code localRegion}. */
  public static Builder builder(String localRegion) {
    return new Builder(localRegion);
  }

  /**
   * Reads {@code local-region}, {@code encrypt-under} ({@code local}, the default, or {@code all})
   * and {@code region.<name>=<KeyRef>} entries; the other regions are tried in name order.
   *
   * @throws ConfigurationException when an entry is missing, unknown or malformed
   */
  public static RegionRouting fromProperties(Properties properties) {
    Objects.requireNonNull(properties, "properties");
    String local = properties.getProperty("local-region");
    if (local == null || local.isBlank()) {
      throw new ConfigurationException("region routing needs local-region=<name>");
    }
    Builder builder = builder(local.strip());
    String encryptUnder = properties.getProperty("encrypt-under", "local").strip();
    switch (encryptUnder) {
      case "local" -> builder.encryptUnderAllRegions(false);
      case "all" -> builder.encryptUnderAllRegions(true);
      default ->
          throw new ConfigurationException(
              "encrypt-under must be local or all, got '" + encryptUnder + "'");
    }
    for (String name : new TreeSet<>(properties.stringPropertyNames())) {
      if (name.equals("local-region") || name.equals("encrypt-under")) {
        continue;
      }
      if (!name.startsWith("region.")) {
        throw new ConfigurationException(
            "unknown region routing entry '"
                + name
                + "'; expected local-region, encrypt-under or region.<name>");
      }
      String region = name.substring("region.".length());
      try {
        builder.region(region, KeyRef.parse(properties.getProperty(name).strip()));
      } catch (InvalidInputException e) {
        throw new ConfigurationException(name + ": " + e.getMessage(), e);
      }
    }
    return builder.build();
  }

  public String localRegion() {
    return localRegion;
  }

  /** The local region's key. */
  public KeyRef localKey() {
    return keys.get(localRegion);
  }

  /** Every region's key, in configuration order. */
  public SequencedMap<String, KeyRef> keys() {
    return keys;
  }

  /** The keys every data key is wrapped under: the local one first. */
  public List<KeyRef> encryptionKeys() {
    return encryptUnderAllRegions ? decryptionOrder() : List.of(localKey());
  }

  /** The order decryption tries keys in: the local region's, then the others as configured. */
  public List<KeyRef> decryptionOrder() {
    List<KeyRef> order = new ArrayList<>(keys.size());
    order.add(localKey());
    keys.forEach(
        (region, key) -> {
          if (!region.equals(localRegion)) {
            order.add(key);
          }
        });
    return List.copyOf(order);
  }

  /**
   * Adds this routing's keys to {@code builder}: the {@link #encryptionKeys()} as {@code kek}, the
   * other regions' keys as {@code decryptOnlyKek}, in {@link #decryptionOrder()}; and the local
   * region as {@code preferredRegion} when the local key's own region has that name. KEKs the
   * builder already holds come before these.
   */
  public Envelope.Builder applyTo(Envelope.Builder builder) {
    Objects.requireNonNull(builder, "builder");
    List<KeyRef> encryption = encryptionKeys();
    for (KeyRef key : decryptionOrder()) {
      if (encryption.contains(key)) {
        builder.kek(key);
      } else {
        builder.decryptOnlyKek(key);
      }
    }
    localKey().region().filter(localRegion::equals).ifPresent(builder::preferredRegion);
    return builder;
  }

  @Override
  public String toString() {
    return "RegionRouting[local="
        + localRegion
        + ", encryptUnder="
        + (encryptUnderAllRegions ? "all" : "local")
        + ", keys="
        + keys
        + "]";
  }

  /** Configures a {@link RegionRouting}; the local region must get a key. */
  public static final class Builder {
    private final String localRegion;
    private final SequencedMap<String, KeyRef> keys = new LinkedHashMap<>();
    private boolean encryptUnderAllRegions;

    private Builder(String localRegion) {
      this.localRegion = checkName(localRegion);
    }

    /** The key that serves {@code region}; other regions are tried in the order added. */
    public Builder region(String region, KeyRef key) {
      checkName(region);
      Objects.requireNonNull(key, "key");
      if (keys.containsKey(region)) {
        throw new ConfigurationException("region " + region + " is given a key twice");
      }
      for (Map.Entry<String, KeyRef> entry : keys.entrySet()) {
        if (entry.getValue().equals(key)) {
          throw new ConfigurationException(
              key + " serves both " + entry.getKey() + " and " + region);
        }
      }
      keys.put(region, key);
      return this;
    }

    /** Wrap under every region's key (true), or only the local one's (false, the default). */
    public Builder encryptUnderAllRegions(boolean all) {
      this.encryptUnderAllRegions = all;
      return this;
    }

    /**
     * @throws ConfigurationException when the local region has no key
     */
    public RegionRouting build() {
      if (!keys.containsKey(localRegion)) {
        throw new ConfigurationException(
            "the local region "
                + localRegion
                + " has no key; regions configured: "
                + keys.keySet());
      }
      return new RegionRouting(this);
    }

    private static String checkName(String region) {
      Objects.requireNonNull(region, "region");
      if (!REGION_NAME.matcher(region).matches()) {
        throw new ConfigurationException(
            "region name '"
                + (region.length() > 40 ? region.substring(0, 40) + "..." : region)
                + "' must be 1..63 letters, digits, '.', '_' or '-'");
      }
      return region;
    }
  }
}
