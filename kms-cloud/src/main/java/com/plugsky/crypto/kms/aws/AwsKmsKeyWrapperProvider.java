package com.plugsky.crypto.kms.aws;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrapperProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * Registers {@link AwsKmsKeyWrapper} for {@code aws-kms:} KeyRefs with {@link
 * java.util.ServiceLoader}, configured from the environment:
 *
 * <ul>
 *   <li>credentials: the SDK's default chain (environment, system properties, profile files, web
 *       identity, container and instance roles);
 *   <li>the local region: the SDK's default region chain ({@code AWS_REGION}, {@code aws.region},
 *       the profile), asked when a KeyRef without a region, or a multi-Region key, first needs it;
 *   <li>the endpoint: system property {@value #ENDPOINT_PROPERTY}, else environment variable
 *       {@value #ENDPOINT_VARIABLE}, else the SDK's own ({@code AWS_ENDPOINT_URL_KMS}, or the
 *       public regional endpoint); https, or http to a loopback host only;
 *   <li>retries and timeouts: {@link com.plugsky.crypto.kms.retry.RetryPolicy#defaults()}.
 * </ul>
 */
public final class AwsKmsKeyWrapperProvider implements KeyWrapperProvider {
  /** System property overriding the KMS endpoint, e.g. {@code http://127.0.0.1:4566}. */
  public static final String ENDPOINT_PROPERTY = "plugsky.crypto.aws.kms.endpoint";

  /** Environment variable overriding the KMS endpoint when the system property is not set. */
  public static final String ENDPOINT_VARIABLE = "PLUGSKY_AWS_KMS_ENDPOINT";

  private final UnaryOperator<String> properties;
  private final UnaryOperator<String> environment;

  public AwsKmsKeyWrapperProvider() {
    this(System::getProperty, System::getenv);
  }

  AwsKmsKeyWrapperProvider(UnaryOperator<String> properties, UnaryOperator<String> environment) {
    this.properties = properties;
    this.environment = environment;
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.AWS_KMS;
  }

  /**
   * @throws ConfigurationException when the endpoint override is not an absolute http(s) URI, or is
   *     plain http to a host other than loopback
   */
  @Override
  public KeyWrapper create(AuditSink auditSink) {
    AwsKmsKeyWrapper.Builder builder =
        AwsKmsKeyWrapper.builder()
            .auditSink(auditSink)
            .region(
                () ->
                    Optional.of(DefaultAwsRegionProviderChain.builder().build().getRegion().id()));
    endpoint().ifPresent(builder::endpoint);
    return builder.build();
  }

  Optional<URI> endpoint() {
    String source = ENDPOINT_PROPERTY;
    String value = properties.apply(ENDPOINT_PROPERTY);
    if (value == null || value.isBlank()) {
      value = environment.apply(ENDPOINT_VARIABLE);
      source = ENDPOINT_VARIABLE;
    }
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    try {
      URI uri = new URI(value.strip());
      if (!uri.isAbsolute()
          || uri.getHost() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new ConfigurationException(
            source
                + " must be an absolute http(s) URI such as https://kms.eu-west-1.amazonaws.com");
      }
      AwsKmsKeyWrapper.requireTlsOffLoopback(uri, source);
      return Optional.of(uri);
    } catch (URISyntaxException e) {
      throw new ConfigurationException(source + " is not a URI: " + e.getReason());
    }
  }
}
