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
}
