package com.plugsky.crypto.keyref;

import com.plugsky.crypto.InvalidInputException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code aws-kms:}: an AWS KMS key, in one of the forms KMS itself accepts as a key id.
 *
 * <ul>
 *   <li>{@code aws-kms:arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab}
 *       (also {@code key/mrk-<32 hex>} for multi-Region keys, and the {@code aws-cn}, {@code
 *       aws-us-gov} and other partitions)
 *   <li>{@code aws-kms:arn:aws:kms:eu-west-1:111122223333:alias/orders}
 *   <li>{@code aws-kms:alias/orders} or {@code aws-kms:1234abcd-...}, optionally followed by {@code
 *       ?region=eu-west-1}; without a region the backend's default region is used
 * </ul>
 *
 * <p>Key ids are lower-case hex as KMS prints them. An ARN already names its region, so {@code
 * ?region=} after an ARN is rejected rather than left to decide which of the two wins. The
 * normalised form is the input as accepted (nothing in it has a second spelling).
 */
public final class AwsKmsKeyRef extends KeyRef {
  private static final String KEY_ID =
      "(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})";
  private static final String ALIAS = "alias/[a-zA-Z0-9/_-]{1,250}";
  private static final Pattern ARN = Pattern.compile("arn:([^:]*):kms:([^:]*):([^:]*):(.*)");
  private static final Pattern PARTITION = Pattern.compile("aws(?:-[a-z]+){0,2}");
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}");
  private static final Pattern ACCOUNT = Pattern.compile("[0-9]{12}");
  private static final Pattern ARN_RESOURCE = Pattern.compile("key/" + KEY_ID + "|" + ALIAS);
  private static final Pattern SHORT_ID = Pattern.compile(KEY_ID + "|" + ALIAS);

  private final String keyId;
  private final Optional<String> region;
  private final Optional<String> accountId;

  private AwsKmsKeyRef(
      String keyId, Optional<String> region, Optional<String> accountId, String normalized) {
    super(normalized);
    this.keyId = keyId;
    this.region = region;
    this.accountId = accountId;
  }

  static AwsKmsKeyRef parseKeyId(String text) {
    int question = text.indexOf('?');
    String id = question < 0 ? text : text.substring(0, question);
    Optional<String> queryRegion =
        question < 0 ? Optional.empty() : Optional.of(parseQuery(text.substring(question + 1)));
    if (id.isEmpty()) {
      throw new InvalidInputException(
          "aws-kms: KeyRef needs a key ARN, alias/<name> or key id, e.g. aws-kms:alias/orders");
    }
    Matcher arn = ARN.matcher(id);
    if (arn.matches()) {
      if (queryRegion.isPresent()) {
        throw new InvalidInputException(
            "aws-kms: an ARN already names its region; remove '?region=' from the KeyRef");
      }
      String partition = arn.group(1);
      String region = arn.group(2);
      String account = arn.group(3);
      String resource = arn.group(4);
      if (!PARTITION.matcher(partition).matches()) {
        throw new InvalidInputException(
            "aws-kms: ARN partition '"
                + abbreviate(partition)
                + "' is not an AWS partition such as aws, aws-cn or aws-us-gov");
      }
      checkRegion(region);
      if (!ACCOUNT.matcher(account).matches()) {
        throw new InvalidInputException(
            "aws-kms: ARN account '" + abbreviate(account) + "' must be 12 digits");
      }
      if (!ARN_RESOURCE.matcher(resource).matches()) {
        throw new InvalidInputException(
            "aws-kms: ARN resource '"
                + abbreviate(resource)
                + "' must be key/<key id> (a lower-case"
                + " UUID or mrk-<32 hex>) or alias/<name> (letters, digits, '/', '_', '-')");
      }
      return new AwsKmsKeyRef(
          id, Optional.of(region), Optional.of(account), KeyRefScheme.AWS_KMS.prefix() + id);
    }
    if (id.startsWith("arn:")) {
      throw new InvalidInputException(
          "aws-kms: '"
              + abbreviate(id)
              + "' is not a KMS key ARN of the form"
              + " arn:<partition>:kms:<region>:<account>:key/<key id> or ...:alias/<name>");
    }
    if (!SHORT_ID.matcher(id).matches()) {
      throw new InvalidInputException(
          "aws-kms: '"
              + abbreviate(id)
              + "' is neither a key ARN, nor alias/<name> (letters, digits,"
              + " '/', '_', '-'), nor a key id (a lower-case UUID or mrk-<32 hex>)");
    }
    String normalized =
        KeyRefScheme.AWS_KMS.prefix() + id + queryRegion.map(r -> "?region=" + r).orElse("");
    return new AwsKmsKeyRef(id, queryRegion, Optional.empty(), normalized);
  }

  private static String parseQuery(String query) {
    if (!query.startsWith("region=") || query.indexOf('&') >= 0) {
      throw new InvalidInputException(
          "aws-kms: the only query parameter is region, e.g."
              + " aws-kms:alias/orders?region=eu-west-1");
    }
    String region = query.substring("region=".length());
    checkRegion(region);
    return region;
  }

  private static void checkRegion(String region) {
    if (!REGION.matcher(region).matches()) {
      throw new InvalidInputException(
          "aws-kms: region '"
              + abbreviate(region)
              + "' is not an AWS region name such as eu-west-1");
    }
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.AWS_KMS;
  }

  /** What to pass to KMS as {@code KeyId}: the ARN, {@code alias/<name>} or the bare key id. */
  public String keyId() {
    return keyId;
  }

  /** The ARN's region, or the {@code ?region=} of a short form. */
  @Override
  public Optional<String> region() {
    return region;
  }

  /** The AWS account of an ARN; empty for the short forms. */
  public Optional<String> accountId() {
    return accountId;
  }

  /** Whether this names an alias, whose target key can change, rather than a key. */
  public boolean isAlias() {
    return keyId.startsWith("alias/") || keyId.contains(":alias/");
  }
}
