package com.plugsky.crypto.keyref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GcpKmsKeyRefTest {
  private static final String KEY =
      "projects/my-project/locations/europe-west1/keyRings/payments/cryptoKeys/orders";

  @Test
  void cryptoKey() {
    GcpKmsKeyRef ref = (GcpKmsKeyRef) KeyRef.parse("gcp-kms:" + KEY);
    assertThat(ref.project()).isEqualTo("my-project");
    assertThat(ref.region()).contains("europe-west1");
    assertThat(ref.cryptoKeyName()).isEqualTo(KEY);
    assertThat(ref.version()).isEmpty();
    assertThat(ref).hasToString("gcp-kms:" + KEY);
  }

  @Test
  void versionAndOtherProjectForms() {
    GcpKmsKeyRef ref = (GcpKmsKeyRef) KeyRef.parse("gcp-kms:" + KEY + "/cryptoKeyVersions/7");
    assertThat(ref.version()).hasValue(7);
    assertThat(ref.cryptoKeyName()).isEqualTo(KEY);
    assertThat(
            ((GcpKmsKeyRef)
                    KeyRef.parse(
                        "gcp-kms:projects/123456789012/locations/global/keyRings/r/cryptoKeys/k"))
                .project())
        .isEqualTo("123456789012");
    assertThat(
            ((GcpKmsKeyRef)
                    KeyRef.parse(
                        "gcp-kms:projects/example.com:my-project/locations/us/keyRings/r/cryptoKeys/k"))
                .region())
        .contains("us");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "gcp-kms:projects/my-project/locations/global/keyrings/r/cryptoKeys/k| must be projects/",
        "gcp-kms:projects/my-project/locations/global/keyRings/r| must be projects/",
        "gcp-kms:projects/my-project/locations/global/keyRings/r/cryptoKeys/k/| must be projects/",
        "gcp-kms:projects/My_Project/locations/global/keyRings/r/cryptoKeys/k| project"
            + " 'My_Project'",
        "gcp-kms:projects/my-project/locations/Europe/keyRings/r/cryptoKeys/k| location 'Europe'",
        "gcp-kms:projects/my-project/locations/global/keyRings/r.1/cryptoKeys/k| key ring 'r.1'",
        "gcp-kms:projects/my-project/locations/global/keyRings/r/cryptoKeys/k:1| crypto key 'k:1'",
        "gcp-kms:projects/my-project/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/0|"
            + " version '0'",
      })
  void rejectsMalformed(String uri, String message) {
    assertThatThrownBy(() -> KeyRef.parse(uri))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("gcp-kms:")
        .hasMessageContaining(message.strip());
  }
}
