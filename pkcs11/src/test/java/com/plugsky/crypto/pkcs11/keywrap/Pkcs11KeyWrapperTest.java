package com.plugsky.crypto.pkcs11.keywrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the wrapper refuses before it ever loads a module. */
class Pkcs11KeyWrapperTest {
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private final Pkcs11KeyWrapper wrapper =
      Pkcs11KeyWrapper.builder().auditSink(events::add).build();
  private final EncryptionContext context = EncryptionContext.of("tenant", "acme");

  @AfterEach
  void close() {
    wrapper.close();
  }

  @Test
  void refusesKeyRefsOfOtherSchemes() {
    assertThatThrownBy(() -> wrapper.wrap(KeyRef.parse("local:orders"), new byte[32], context))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("local:");
    assertThat(events)
        .singleElement()
        .extracting(AuditEvent::outcome)
        .isEqualTo(Outcome.INVALID_INPUT);
  }

  @Test
  void refusesAttributesItCannotCheckRatherThanIgnoringThem() {
    KeyRef serial = KeyRef.parse("pkcs11:token=t;serial=42;object=k?module-path=/nonexistent.so");

    assertThatThrownBy(() -> wrapper.wrap(serial, new byte[32], context))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'serial'");
  }

  @Test
  void needsAModulePathAKeyAndASecretKeyType() {
    assertThatThrownBy(
            () -> wrapper.wrap(KeyRef.parse("pkcs11:token=t;object=k"), new byte[32], context))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(Pkcs11KeyWrapper.MODULE_PROPERTY);
    assertThatThrownBy(
            () ->
                wrapper.wrap(
                    KeyRef.parse("pkcs11:token=t;object=k;type=private?module-path=/x.so"),
                    new byte[32],
                    context))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("secret-key");
  }

  @Test
  void refusesDataKeysOfTheWrongSizeWithoutTouchingTheModule() {
    KeyRef ref = KeyRef.parse("pkcs11:token=t;object=k?module-path=/nonexistent.so");

    assertThatThrownBy(() -> wrapper.wrap(ref, new byte[15], context))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("16..64");
  }

  @Test
  void aMissingModuleIsAConfigurationError() {
    KeyRef ref = KeyRef.parse("pkcs11:token=t;object=k?module-path=/nonexistent/libpkcs11.so");

    assertThatThrownBy(() -> wrapper.wrap(ref, new byte[32], context))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("/nonexistent/libpkcs11.so");
  }
}
