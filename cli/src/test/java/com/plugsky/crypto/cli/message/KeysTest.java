package com.plugsky.crypto.cli.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.EnvelopeHeader;
import com.plugsky.crypto.envelope.EnvelopeHeader.WrappedKeyInfo;
import com.plugsky.crypto.keyref.KeyRef;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeysTest {
  private static final String HSM =
      "pkcs11:token=t;object=k;type=secret-key?module-path=/tmp/evil.so";

  private static EnvelopeHeader header(EncryptionContext context, String... keyRefs) {
    return new EnvelopeHeader(
        1,
        1,
        "00".repeat(32),
        context,
        java.util.Arrays.stream(keyRefs).map(k -> new WrappedKeyInfo(k, 73)).toList(),
        65536,
        200);
  }

  @Test
  void withoutKeyOnlyTheHeadersLocalKeysAreUsed() {
    assertThat(Keys.localKeksOf(header(EncryptionContext.empty(), HSM, "local:a", "local:b")))
        .containsExactly(KeyRef.parse("local:a"), KeyRef.parse("local:b"));
  }

  @Test
  void aMessageOnlyUnderOtherSchemesNeedsAKeyNamedOnTheCommandLine() {
    assertThatThrownBy(() -> Keys.localKeksOf(header(EncryptionContext.empty(), HSM)))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("name the one to use with --key");
  }

  @Test
  void requiredContextPairsMustAllBeInTheHeaderInAnyOrder() {
    EncryptionContext stored = EncryptionContext.of("tenant", "acme", "region", "eu");
    EnvelopeHeader header = header(stored, "local:a");

    assertThat(Keys.expectedContext(header, EncryptionContext.of("region", "eu", "tenant", "acme")))
        .isEqualTo(stored);
    assertThat(Keys.expectedContext(header, EncryptionContext.empty())).isEqualTo(stored);
    assertThatThrownBy(() -> Keys.expectedContext(header, EncryptionContext.of("tenant", "other")))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("different value for 'tenant'")
        .hasMessageNotContaining("acme");
    assertThatThrownBy(() -> Keys.expectedContext(header, EncryptionContext.of("purpose", "x")))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("has no 'purpose'");
  }

  @Test
  void contextPairsKeepTheirOrder() {
    assertThat(Keys.context(List.of(Map.entry("b", "2"), Map.entry("a", "1"))))
        .isEqualTo(EncryptionContext.of("b", "2", "a", "1"));
  }
}
