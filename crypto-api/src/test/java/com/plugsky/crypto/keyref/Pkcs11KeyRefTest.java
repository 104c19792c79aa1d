package com.plugsky.crypto.keyref;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Pkcs11KeyRefTest {
  private static final String PIN = "s3cr3t-PIN";

  /** RFC 7512 section 3's examples that are already in normalised order and spelling. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "pkcs11:",
        "pkcs11:object=my-pubkey;type=public",
        "pkcs11:object=my-key;type=private?pin-source=file:/etc/token",
        "pkcs11:object=my-sign-key;type=private?module-name=mypkcs11",
        "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1",
        "pkcs11:slot-description=Sun%20Metaslot",
        "pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token%20Library;library-version=1.23",
        "pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert",
        "pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert",
      })
  void rfcExamplesRoundTrip(String uri) {
    KeyRef ref = KeyRef.parse(uri);
    assertThat(ref).isInstanceOf(Pkcs11KeyRef.class).hasToString(uri);
    assertThat(KeyRef.parse(ref.toString())).isEqualTo(ref);
  }

  @Test
  void identityIsThePathWithoutHowToReachTheKey() {
    KeyRef ref =
        KeyRef.parse(
            "pkcs11:token=hsm1;object=kek;type=secret-key?pin-source=env:PIN&module-path=/usr/lib/p11.so");

    assertThat(ref.identity()).isEqualTo("pkcs11:token=hsm1;object=kek;type=secret-key");
    assertThat(
            ref.namesSameKey(
                "pkcs11:token=hsm1;object=kek;type=secret-key?pin-source=file:/run/pin"))
        .isTrue();
    assertThat(ref.namesSameKey("PKCS11:type=secret-key;object=kek;token=hsm1")).isTrue();
    assertThat(
            ref.namesSameKey("pkcs11:token=hsm1;object=other;type=secret-key?pin-source=env:PIN"))
        .isFalse();
    assertThat(ref.namesSameKey("pkcs11:token=hsm2;object=kek;type=secret-key")).isFalse();
    assertThat(ref.namesSameKey("pkcs11:token=hsm1;object=kek;vendor-x=1")).isFalse();
    assertThat(ref.namesSameKey("local:kek")).isFalse();
  }

  @Test
  void rfcCertificateExampleIsReorderedAndDecoded() {
    Pkcs11KeyRef ref =
        (Pkcs11KeyRef)
            KeyRef.parse(
                "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
                    + "model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial="
                    + "?pin-source=file:/etc/token_pin");
    assertThat(ref)
        .hasToString(
            "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;serial=;"
                + "model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91"
                + "?pin-source=file:/etc/token_pin");
    assertThat(ref.pathAttribute("token")).contains("The Software PKCS#11 Softtoken");
    assertThat(ref.pathAttribute("manufacturer")).contains("Snake Oil, Inc.");
    assertThat(ref.pathAttribute("serial")).contains("");
    assertThat(ref.pathAttribute("slot-id")).isEmpty();
    assertThat(ref.id())
        .hasValueSatisfying(
            id -> assertThat(id).containsExactly(0x69, 0x95, 0x3e, 0x5c, 0xf4, 0xbd, 0xec, 0x91));
    assertThat(ref.queryAttribute("pin-source")).contains("file:/etc/token_pin");
    assertThat(ref.pinValue()).isEmpty();
  }

  @Test
  void rfcMixedCaseHexAndUtf8Example() {
    Pkcs11KeyRef ref =
        (Pkcs11KeyRef)
            KeyRef.parse(
                "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;id=%01%02%03%Ba%dd%Ef%fe;"
                    + "object=%E2%82%AC%20symbol");
    assertThat(ref)
        .hasToString(
            "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;object=%E2%82%AC%20symbol;"
                + "id=%01%02%03%BA%DD%EF%FE");
    assertThat(ref.pathAttribute("token")).contains("My token% created by Joe");
    assertThat(ref.pathAttribute("object")).contains("\u20ac symbol");
  }

  @Test
  void rfcVendorAttributeExampleIsRefusedByName() {
    assertThatThrownBy(
            () ->
                KeyRef.parse(
                    "pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a"
                        + "?pin-source=file:/etc/token_pin&vendor-bbb=value-b"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unknown path attribute 'vendor-aaa'")
        .hasMessageContaining("vendor-specific");
  }

  @Test
  void percentEncodingIsNormalised() {
    KeyRef overEncoded =
        KeyRef.parse("pkcs11:object=my%2dkey%2C%20v1;manufacturer=Snake%20Oil%2C%20Inc%2E");
    KeyRef plain = KeyRef.parse("pkcs11:manufacturer=Snake%20Oil,%20Inc.;object=my-key,%20v1");
    assertThat(overEncoded).isEqualTo(plain).hasSameHashCodeAs(plain);
    assertThat(overEncoded)
        .hasToString("pkcs11:manufacturer=Snake%20Oil,%20Inc.;object=my-key,%20v1");
  }

  @Test
  void reservedCharactersAreEncodedWhereTheyWouldDelimit() {
    Pkcs11KeyRef ref =
        (Pkcs11KeyRef) KeyRef.parse("pkcs11:object=a%3Bb%3Fc%2Fd%26e?module-path=/opt/a%26b%3Fc");
    assertThat(ref.pathAttribute("object")).contains("a;b?c/d&e");
    assertThat(ref.queryAttribute("module-path")).contains("/opt/a&b?c");
    assertThat(ref).hasToString("pkcs11:object=a%3Bb%3Fc%2Fd&e?module-path=/opt/a%26b?c");
    assertThat(KeyRef.parse(ref.toString())).isEqualTo(ref);
  }

  @Test
  void anEmptyQueryIsDropped() {
    assertThat(KeyRef.parse("pkcs11:object=a?")).hasToString("pkcs11:object=a");
  }

  @Test
  void attributeValuesMayHoldEqualsSigns() {
    Pkcs11KeyRef ref = (Pkcs11KeyRef) KeyRef.parse("pkcs11:object=a=b");
    assertThat(ref.pathAttribute("object")).contains("a=b");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "pkcs11:object=a;object=b| path attribute 'object' appears more than once",
        "pkcs11:object=a?module-name=x&module-name=y| query attribute 'module-name' appears more"
            + " than once",
        "pkcs11:Object=a| case-sensitive: did you mean 'object'?",
        "pkcs11:object=a?token=b| 'token' belongs in the path",
        "pkcs11:module-path=/x| 'module-path' belongs in the query",
        "pkcs11:object=a/b| the value of 'object' has '/' that must be percent-encoded in the URI's"
            + " path",
        "pkcs11:object=a?pin-source=x;y| the value of 'pin-source' has ';'",
        "pkcs11:object=%G1| '%' not followed by two hex digits",
        "pkcs11:object=ab%4| '%' not followed by two hex digits",
        "pkcs11:type=secret| type 'secret' must be one of public, private, cert, secret-key, data",
        "pkcs11:slot-id=abc| slot-id 'abc' must be a decimal number",
        "pkcs11:slot-id=99999999999999999999| slot-id",
        "pkcs11:library-version=1.2.3| library-version '1.2.3'",
        "pkcs11:object=a;;type=cert| empty path attribute",
        "pkcs11:object=a;| empty path attribute",
        "pkcs11:object| path attribute 'object' has no '=value'",
        "pkcs11:token=%FF| the value of 'token' is not UTF-8",
        "pkcs11:object=a?pin-source=file:/p&pin-value=1234| either pin-source or pin-value, not"
            + " both",
      })
  void rejectsMalformed(String uri, String message) {
    assertThatThrownBy(() -> KeyRef.parse(uri))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("pkcs11:")
        .hasMessageContaining(message.strip());
  }

  @Test
  void pinValueIsRedactedInTheNormalisedForm() {
    Pkcs11KeyRef ref =
        (Pkcs11KeyRef) KeyRef.parse("pkcs11:token=t;object=k?module-name=m&pin-value=" + PIN);
    assertThat(ref.toString())
        .doesNotContain(PIN)
        .isEqualTo("pkcs11:token=t;object=k?pin-value=<redacted>&module-name=m");
    assertThat(ref.pinValue())
        .hasValueSatisfying(pin -> assertThat(new String(pin)).isEqualTo(PIN));
    assertThat(ref.queryAttribute("module-name")).contains("m");
    assertThat(ref.withoutPinValue()).hasToString("pkcs11:token=t;object=k?module-name=m");
    assertThat(ref.withoutPinValue().pinValue()).isEmpty();
  }

  @Test
  void percentEncodedPinIsDecoded() {
    Pkcs11KeyRef ref = (Pkcs11KeyRef) KeyRef.parse("pkcs11:object=k?pin-value=a%26b%20c");
    assertThat(ref.pinValue())
        .hasValueSatisfying(pin -> assertThat(new String(pin)).isEqualTo("a&b c"));
  }

  @Test
  void keyRefsThatDifferOnlyInTheirPinAreEqual() {
    assertThat(KeyRef.parse("pkcs11:object=k?pin-value=1111"))
        .isEqualTo(KeyRef.parse("pkcs11:object=k?pin-value=2222"));
    assertThat(KeyRef.parse("pkcs11:object=k?pin-value=1111"))
        .isNotEqualTo(KeyRef.parse("pkcs11:object=k"));
  }

  @Test
  void thePrintedPlaceholderIsRefusedAsAPin() {
    KeyRef printed = KeyRef.parse("pkcs11:object=k?pin-value=" + PIN);
    assertThatThrownBy(() -> KeyRef.parse(printed.toString()))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("placeholder");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "pkcs11:object=k?pin-value=" + PIN + "%ZZ",
        "pkcs11:object=k?pin-value=" + PIN + "<",
        "pkcs11:object=k?pin-value=" + PIN + "%FF",
        "pkcs11:object=k?pin-value=" + PIN + "&pin-value=" + PIN,
        "pkcs11:object=k?pin-value=" + PIN + "&pin-source=file:/x",
        "pkcs11:object=k;pin-value=" + PIN,
        "pkcs11:object=k?pin-value=" + PIN + "&vendor=" + PIN,
        "pkcs11:type=bad?pin-value=" + PIN,
        "pkcs11:object=k?pin-value=" + PIN + " ",
      })
  void errorMessagesNeverContainThePin(String uri) {
    assertThatThrownBy(() -> KeyRef.parse(uri))
        .isInstanceOf(InvalidInputException.class)
        .message()
        .doesNotContain(PIN)
        .doesNotContain("s3cr3t");
  }

  @ParameterizedTest
  @ValueSource(strings = {"Pa55&word", "Pa55&wo=rd", "Pa55&WORD;x"})
  void aPinWithAnUnencodedAmpersandIsNotEchoedInPart(String pin) {
    String tail = pin.substring(pin.indexOf('&') + 1);
    assertThatThrownBy(() -> KeyRef.parse("pkcs11:object=k?pin-value=" + pin))
        .isInstanceOf(InvalidInputException.class)
        .message()
        .doesNotContain(tail)
        .doesNotContain(tail.split("=")[0])
        .contains("%26");
  }

  @Test
  void accessorsRefuseWrongNames() {
    Pkcs11KeyRef ref = (Pkcs11KeyRef) KeyRef.parse("pkcs11:object=k;id=%01");
    assertThatThrownBy(() -> ref.pathAttribute("id"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("id()");
    assertThatThrownBy(() -> ref.pathAttribute("label")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> ref.queryAttribute("pin-value"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("pinValue()");
    byte[] id = ref.id().orElseThrow();
    id[0] = 9;
    assertThat(ref.id().orElseThrow()).containsExactly(1);
  }
}
