package com.plugsky.crypto.keyref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeyRefTest {

  @ParameterizedTest
  @CsvSource({
    "local:default, LOCAL",
    "pkcs11:object=k, PKCS11",
    "aws-kms:alias/orders, AWS_KMS",
    "azure-kv:https://myvault.vault.azure.net/keys/orders, AZURE_KV",
    "vault-transit:transit/orders, VAULT_TRANSIT",
    "gcp-kms:projects/my-project/locations/global/keyRings/r/cryptoKeys/k, GCP_KMS",
  })
  void parseDispatchesOnScheme(String uri, KeyRefScheme scheme) {
    KeyRef ref = KeyRef.parse(uri);
    assertThat(ref.scheme()).isEqualTo(scheme);
    assertThat(ref.toString()).isEqualTo(uri).startsWith(scheme.prefix());
    assertThat(KeyRef.parse(ref.toString())).isEqualTo(ref).hasSameHashCodeAs(ref);
  }

  @Test
  void schemeIsCaseInsensitiveAndPrintedInLowerCase() {
    assertThat(KeyRef.parse("LOCAL:default"))
        .hasToString("local:default")
        .isEqualTo(KeyRef.parse("local:default"));
  }

  @Test
  void outsidePkcs11TheWholeUriIsTheKeysIdentity() {
    KeyRef alias = KeyRef.parse("aws-kms:alias/a?region=eu-west-1");

    assertThat(alias.identity()).isEqualTo(alias.toString());
    assertThat(alias.namesSameKey("AWS-KMS:alias/a?region=eu-west-1")).isTrue();
    assertThat(alias.namesSameKey("aws-kms:alias/a?region=us-east-1")).isFalse();
    assertThat(alias.namesSameKey("aws-kms:alias/a")).isFalse();
    assertThat(alias.namesSameKey("aws-kms:not an alias")).isFalse();
  }

  @Test
  void differentKeysAreNotEqual() {
    assertThat(KeyRef.parse("local:a")).isNotEqualTo(KeyRef.parse("local:b"));
    assertThat(KeyRef.parse("aws-kms:alias/a"))
        .isNotEqualTo(KeyRef.parse("aws-kms:alias/a?region=eu-west-1"));
  }

  @Test
  void rejectsMissingAndUnknownSchemes() {
    assertThatThrownBy(() -> KeyRef.parse("default"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no scheme")
        .hasMessageContaining("local:");
    assertThatThrownBy(() -> KeyRef.parse("s3:bucket/key"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown KeyRef scheme 's3'");
    assertThatThrownBy(() -> KeyRef.parse(""))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void rejectsWhitespaceControlAndNonAsciiWithoutEchoingThem() {
    assertThatThrownBy(() -> KeyRef.parse("local:de fault"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("index 8");
    assertThatThrownBy(() -> KeyRef.parse("local:caf\u00e9"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageNotContaining("\u00e9");
    assertThatThrownBy(() -> KeyRef.parse("local:a\nb")).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void rejectsOverlongUris() {
    String uri = "local:" + "a".repeat(KeyRef.MAX_LENGTH);
    assertThatThrownBy(() -> KeyRef.parse(uri))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("limit is " + KeyRef.MAX_LENGTH);
  }

  @Test
  void localNames() {
    LocalKeyRef ref = (LocalKeyRef) KeyRef.parse("local:orders-2025.v1");
    assertThat(ref.name()).isEqualTo("orders-2025.v1");
    assertThat(ref.region()).isEmpty();
    for (String bad :
        new String[] {
          "local:",
          "local:../etc/passwd",
          "local:.hidden",
          "local:Orders",
          "local:a/b",
          "local:" + "a".repeat(65)
        }) {
      assertThatThrownBy(() -> KeyRef.parse(bad))
          .as(bad)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("local:");
    }
  }
}
