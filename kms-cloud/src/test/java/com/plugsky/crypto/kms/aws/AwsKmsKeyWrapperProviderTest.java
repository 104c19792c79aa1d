package com.plugsky.crypto.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsKmsKeyWrapperProviderTest {

  private static AwsKmsKeyWrapperProvider provider(
      Map<String, String> properties, Map<String, String> environment) {
    return new AwsKmsKeyWrapperProvider(properties::get, environment::get);
  }

  @Test
  void theSystemPropertyWinsOverTheEnvironment() {
    AwsKmsKeyWrapperProvider provider =
        provider(
            Map.of(AwsKmsKeyWrapperProvider.ENDPOINT_PROPERTY, "http://127.0.0.1:4566"),
            Map.of(AwsKmsKeyWrapperProvider.ENDPOINT_VARIABLE, "https://kms.example"));

    assertThat(provider.endpoint()).contains(URI.create("http://127.0.0.1:4566"));
  }

  @Test
  void theEnvironmentVariableAppliesWithoutTheProperty() {
    assertThat(
            provider(
                    Map.of(),
                    Map.of(AwsKmsKeyWrapperProvider.ENDPOINT_VARIABLE, " https://kms.example "))
                .endpoint())
        .contains(URI.create("https://kms.example"));
    assertThat(provider(Map.of(), Map.of()).endpoint()).isEmpty();
  }

  @Test
  void aBadEndpointIsAConfigurationErrorThatDoesNotRepeatIt() {
    assertThatThrownBy(
            () ->
                provider(
                        Map.of(
                            AwsKmsKeyWrapperProvider.ENDPOINT_PROPERTY, "ftp://user:secret@host"),
                        Map.of())
                    .endpoint())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(AwsKmsKeyWrapperProvider.ENDPOINT_PROPERTY)
        .hasMessageNotContaining("secret");
    assertThatThrownBy(
            () ->
                provider(Map.of(), Map.of(AwsKmsKeyWrapperProvider.ENDPOINT_VARIABLE, "not a uri"))
                    .endpoint())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(AwsKmsKeyWrapperProvider.ENDPOINT_VARIABLE);
  }

  @Test
  void plainHttpIsAllowedToLoopbackOnly() {
    for (String loopback :
        new String[] {"http://127.0.0.1:4566", "http://localhost:4566", "http://[::1]:4566"}) {
      assertThat(provider(Map.of(AwsKmsKeyWrapperProvider.ENDPOINT_PROPERTY, loopback), Map.of())
              .endpoint())
          .contains(URI.create(loopback));
    }
    for (String remote :
        new String[] {
          "http://kms.eu-west-1.amazonaws.com", "http://10.0.0.5:4566", "http://127.0.0.1.nip.io"
        }) {
      assertThatThrownBy(
              () ->
                  provider(Map.of(), Map.of(AwsKmsKeyWrapperProvider.ENDPOINT_VARIABLE, remote))
                      .endpoint())
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(AwsKmsKeyWrapperProvider.ENDPOINT_VARIABLE)
          .hasMessageContaining("use https");
    }
    assertThatThrownBy(
            () -> AwsKmsKeyWrapper.builder().endpoint(URI.create("http://kms.example:80")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("plain http to kms.example");
  }
}
