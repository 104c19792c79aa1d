package com.plugsky.crypto.keyref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VaultTransitKeyRefTest {

  @Test
  void mountAndKey() {
    VaultTransitKeyRef ref = (VaultTransitKeyRef) KeyRef.parse("vault-transit:transit/orders");
    assertThat(ref.mount()).isEqualTo("transit");
    assertThat(ref.keyName()).isEqualTo("orders");
    assertThat(ref.version()).isEmpty();
    assertThat(ref).hasToString("vault-transit:transit/orders");
  }

  @Test
  void nestedMountAndVersion() {
    VaultTransitKeyRef ref =
        (VaultTransitKeyRef) KeyRef.parse("vault-transit:team-a/transit/orders_v2?version=12");
    assertThat(ref.mount()).isEqualTo("team-a/transit");
    assertThat(ref.keyName()).isEqualTo("orders_v2");
    assertThat(ref.version()).hasValue(12);
    assertThat(ref).hasToString("vault-transit:team-a/transit/orders_v2?version=12");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "vault-transit:orders| must be <mount>/<key name>",
        "vault-transit:/orders| must be <mount>/<key name>",
        "vault-transit:transit/| must be <mount>/<key name>",
        "vault-transit:transit//orders| path segment ''",
        "vault-transit:../orders| path segment '..'",
        "vault-transit:transit/ord%65rs| path segment 'ord%65rs'",
        "vault-transit:transit/orders?version=0| version '0'",
        "vault-transit:transit/orders?version=007| version '007'",
        "vault-transit:transit/orders?version=1&x=2| only query parameter is version",
        "vault-transit:transit/orders?latest| only query parameter is version",
      })
  void rejectsMalformed(String uri, String message) {
    assertThatThrownBy(() -> KeyRef.parse(uri))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("vault-transit:")
        .hasMessageContaining(message.strip());
  }
}
