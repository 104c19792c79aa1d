package com.plugsky.crypto.cli.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.EnvelopeHeader;
import com.plugsky.crypto.envelope.EnvelopeHeader.WrappedKeyInfo;
import com.plugsky.crypto.keyref.KeyRef;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RewrapCommandTest {
  /** How the host that wrote the message reached the HSM key. */
  private static final String WRITTEN =
      "pkcs11:token=vault;object=orders-2026;type=secret-key"
          + "?module-path=/usr/lib/softhsm/libsofthsm2.so";

  /** The same key as this host reaches it. */
  private static final KeyRef HERE =
      KeyRef.parse(
          "pkcs11:token=vault;object=orders-2026;type=secret-key"
              + "?module-path=/opt/hsm/lib/libpkcs11.so");

  private static EnvelopeHeader header(String... keyRefs) {
    return new EnvelopeHeader(
        1,
        1,
        "00".repeat(32),
        EncryptionContext.empty(),
        Arrays.stream(keyRefs).map(k -> new WrappedKeyInfo(k, 40)).toList(),
        65536,
        200);
  }

  @Test
  void removeFindsTheSameKeyWrittenWithOtherAccessDetails() {
    RewrapCommand rewrap = new RewrapCommand();
    rewrap.remove = List.of(HERE);

    assertThat(rewrap.wrappingsAfter(header(WRITTEN, "local:orders-2027")))
        .containsExactly(KeyRef.parse("local:orders-2027"));
  }

  @Test
  void addRefusesAKeyTheMessageIsAlreadyWrappedUnderHoweverItIsWritten() {
    RewrapCommand rewrap = new RewrapCommand();
    rewrap.add = List.of(HERE);

    assertThatThrownBy(() -> rewrap.wrappingsAfter(header(WRITTEN)))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("already wrapped under it");
  }

  @Test
  void addAndRemoveKeepTheOtherWrappingsInOrder() {
    RewrapCommand rewrap = new RewrapCommand();
    rewrap.remove = List.of(KeyRef.parse("local:old"));
    rewrap.add = List.of(KeyRef.parse("local:new"));

    assertThat(rewrap.wrappingsAfter(header("local:keep", "local:old")))
        .containsExactly(KeyRef.parse("local:keep"), KeyRef.parse("local:new"));
    assertThatThrownBy(() -> rewrap.wrappingsAfter(header("local:keep")))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("--remove local:old: the message has no wrapping under it");
  }
}
