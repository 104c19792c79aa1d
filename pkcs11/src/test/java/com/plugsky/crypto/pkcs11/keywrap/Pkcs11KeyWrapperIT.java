package com.plugsky.crypto.pkcs11.keywrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.Pkcs11KeyRef;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrappers;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig.Backend;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.keywrap.Pkcs11KeyWrapper.WrapPath;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Pkcs11KeyWrapperIT {
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private String label;
  private KeyRef keyRef;
  private Pkcs11KeyWrapper wrapper;

  @BeforeEach
  void createKek() {
    SoftHsm softHsm = SoftHsm.get();
    label = "kek-" + UUID.randomUUID();
    try (Hsm hsm = Hsm.open(softHsm.config(SoftHsm.WRAPPER_TOKEN).build())) {
      hsm.generateAesKey(HsmKey.label(label));
    }
    keyRef =
        KeyRef.parse(
            "pkcs11:token="
                + SoftHsm.WRAPPER_TOKEN
                + ";object="
                + label
                + ";type=secret-key?module-path="
                + SoftHsm.MODULE
                + "&pin-source=file:"
                + softHsm.pinFile());
    wrapper = Pkcs11KeyWrapper.builder().auditSink(events::add).build();
  }

  @AfterEach
  void close() {
    wrapper.close();
  }

  @Test
  void serviceLoaderFindsItForPkcs11KeyRefs() {
    KeyWrapper found = KeyWrappers.forKeyRef(keyRef);
    try {
      assertThat(found).isInstanceOf(Pkcs11KeyWrapper.class);
      byte[] dataKey = CryptoRandom.bytes(32);
      assertThat(found.unwrap(found.wrap(keyRef, dataKey, CONTEXT), CONTEXT)).isEqualTo(dataKey);
    } finally {
      ((Pkcs11KeyWrapper) found).close();
    }
  }

  @Test
  void wrappersFromTheServiceLoaderShareOneTokenHandle() {
    Pkcs11KeyWrapper first = (Pkcs11KeyWrapper) KeyWrappers.forKeyRef(keyRef);
    Pkcs11KeyWrapper second = (Pkcs11KeyWrapper) KeyWrappers.forKeyRef(keyRef);
    Pkcs11KeyRef ref = (Pkcs11KeyRef) keyRef;

    first.close();

    assertThat(second.hsmFor(ref)).isSameAs(first.hsmFor(ref));
    assertThat(second.hsmFor(ref)).isNotSameAs(wrapper.hsmFor(ref));
    byte[] dataKey = CryptoRandom.bytes(32);
    assertThat(second.unwrap(first.wrap(keyRef, dataKey, CONTEXT), CONTEXT)).isEqualTo(dataKey);
  }

  @Test
  void keyRefsWithDifferentPinSourcesGetDifferentTokenHandles() {
    Pkcs11KeyWrapper shared = (Pkcs11KeyWrapper) KeyWrappers.forKeyRef(keyRef);
    Pkcs11KeyRef byFile = (Pkcs11KeyRef) keyRef;
    Pkcs11KeyRef byFileAgain = (Pkcs11KeyRef) KeyRef.parse(keyRef.toString());
    Pkcs11KeyRef byEnvironment = withPin("pin-source=env:PLUGSKY_TEST_UNSET_PIN");
    Pkcs11KeyRef byValue = withPin("pin-value=" + SoftHsm.USER_PIN);
    Pkcs11KeyRef bySameValue = withPin("pin-value=" + SoftHsm.USER_PIN);
    Pkcs11KeyRef byOtherValue = withPin("pin-value=not-the-pin");
    Pkcs11KeyRef withoutPin = withPin("");

    assertThat(shared.hsmFor(byFileAgain)).isSameAs(shared.hsmFor(byFile));
    assertThat(shared.hsmFor(bySameValue)).isSameAs(shared.hsmFor(byValue));
    assertThat(
            List.of(
                shared.hsmFor(byFile),
                shared.hsmFor(byEnvironment),
                shared.hsmFor(byValue),
                shared.hsmFor(byOtherValue),
                shared.hsmFor(withoutPin)))
        .doesNotHaveDuplicates();
    assertThat(shared.toString()).contains("pin-value").doesNotContain("not-the-pin");
    assertThat(shared.toString()).doesNotContain(SoftHsm.USER_PIN);
  }

  private Pkcs11KeyRef withPin(String pinAttribute) {
    return (Pkcs11KeyRef)
        KeyRef.parse(
            "pkcs11:token="
                + SoftHsm.WRAPPER_TOKEN
                + ";object="
                + label
                + "?module-path="
                + SoftHsm.MODULE
                + (pinAttribute.isEmpty() ? "" : "&" + pinAttribute));
  }

  @Test
  void takesTheKeyWrapPathOnSoftHsmThroughFfm() {
    assertThat(wrapper.pathFor(keyRef)).isEqualTo(WrapPath.KEY_WRAP_PAD);

    WrappedKey wrapped = wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT);

    assertThat(wrapped.bytes()[0]).isEqualTo(Pkcs11KeyWrapper.KWP_FORMAT);
    assertThat(wrapped.length()).isEqualTo(81);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void eachBackendTakesThePathItCanDriveAndItsKeysOpenOnTheOther(Backend backend) {
    WrapPath expected = backend == Backend.SUNPKCS11 ? WrapPath.AES_GCM : WrapPath.KEY_WRAP_PAD;
    try (Pkcs11KeyWrapper chosen = Pkcs11KeyWrapper.builder().backend(backend).build();
        Pkcs11KeyWrapper ffm = Pkcs11KeyWrapper.builder().preferredPath(WrapPath.AES_GCM).build()) {
      assertThat(chosen.pathFor(keyRef)).isEqualTo(expected);
      byte[] dataKey = CryptoRandom.bytes(32);

      WrappedKey wrapped = chosen.wrap(keyRef, dataKey, CONTEXT);

      assertThat(chosen.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
      assertThat(ffm.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
      WrappedKey byGcm = ffm.wrap(keyRef, dataKey, CONTEXT);
      assertThat(chosen.unwrap(byGcm, CONTEXT)).isEqualTo(dataKey);
    }
  }

  @Test
  void takesTheGcmPathWhenPreferred() {
    try (Pkcs11KeyWrapper gcm =
        Pkcs11KeyWrapper.builder().preferredPath(WrapPath.AES_GCM).build()) {
      assertThat(gcm.pathFor(keyRef)).isEqualTo(WrapPath.AES_GCM);
      byte[] dataKey = CryptoRandom.bytes(32);

      WrappedKey wrapped = gcm.wrap(keyRef, dataKey, CONTEXT);

      assertThat(wrapped.bytes()[0]).isEqualTo(Pkcs11KeyWrapper.GCM_FORMAT);
      assertThat(wrapped.length()).isEqualTo(61);
      assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
    }
  }

  @ParameterizedTest
  @EnumSource(WrapPath.class)
  void roundTripsAndRefusesAnotherContextOrModifiedBytes(WrapPath path) {
    try (Pkcs11KeyWrapper chosen = Pkcs11KeyWrapper.builder().preferredPath(path).build()) {
      for (int length : new int[] {16, 32, 64}) {
        byte[] dataKey = CryptoRandom.bytes(length);
        WrappedKey wrapped = chosen.wrap(keyRef, dataKey, CONTEXT);

        assertThat(chosen.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
        assertThatThrownBy(() -> chosen.unwrap(wrapped, EncryptionContext.of("tenant", "other")))
            .isInstanceOf(AuthenticationFailedException.class);
        for (int position : new int[] {1, 20, wrapped.length() - 1}) {
          byte[] forged = wrapped.bytes();
          forged[position] ^= 1;
          assertThatThrownBy(() -> chosen.unwrap(new WrappedKey(keyRef, forged), CONTEXT))
              .isInstanceOf(AuthenticationFailedException.class);
        }
      }
    }
  }

  @Test
  void refusesBytesOfAnotherFormatOrLength() {
    byte[] wrapped = wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT).bytes();
    byte[] unknown = wrapped.clone();
    unknown[0] = 9;

    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(keyRef, unknown), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("format byte 9");
    assertThatThrownBy(
            () -> wrapper.unwrap(new WrappedKey(keyRef, Arrays.copyOf(wrapped, 50)), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class);
  }

  @Test
  void auditsWrapAndUnwrapWithoutThePin() {
    KeyRef withPin = withPin("pin-value=" + SoftHsm.USER_PIN);
    byte[] dataKey = CryptoRandom.bytes(32);

    WrappedKey wrapped = wrapper.wrap(withPin, dataKey, CONTEXT);
    wrapper.unwrap(wrapped, CONTEXT);

    assertThat(wrapped.keyRef().toString()).doesNotContain("pin-value");
    assertThat(events).extracting(AuditEvent::operation).contains(Operation.WRAP, Operation.UNWRAP);
    assertThat(events)
        .filteredOn(e -> e.operation() != Operation.HSM_LOGIN)
        .allSatisfy(
            e -> {
              assertThat(e.outcome()).isEqualTo(Outcome.SUCCESS);
              assertThat(e.backend()).isEqualTo("pkcs11-ffm");
              assertThat(e.region()).contains(SoftHsm.WRAPPER_TOKEN);
              assertThat(e.bytes()).isEqualTo(32);
              assertThat(e.keyRef().orElseThrow()).doesNotContain(SoftHsm.USER_PIN);
            });
  }

  @Test
  void auditsAFailedUnwrapAsAnAuthenticationFailure() {
    WrappedKey wrapped = wrapper.wrap(keyRef, CryptoRandom.bytes(32), CONTEXT);

    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.of("tenant", "other")))
        .isInstanceOf(AuthenticationFailedException.class);

    assertThat(events.getLast().operation()).isEqualTo(Operation.UNWRAP);
    assertThat(events.getLast().outcome()).isEqualTo(Outcome.AUTHENTICATION_FAILED);
  }
}
