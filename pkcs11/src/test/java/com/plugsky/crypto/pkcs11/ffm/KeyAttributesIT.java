package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ATTRIBUTE;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.POINTER;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.ReturnCode;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Reads back, through a raw session, the attributes the backends gave the keys they made. */
class KeyAttributesIT {
  private static final long CKA_PRIVATE_EXPONENT = 0x123;

  @Test
  void generatedAndImportedKeysAreTokenPrivateSensitiveAndNeverExtractable() throws Throwable {
    try (FfmHsm hsm = FfmHsm.open(SoftHsm.get().config(SoftHsm.TOKEN).build())) {
      String generated = "attributes-" + UUID.randomUUID();
      String imported = "attributes-" + UUID.randomUUID();
      hsm.generateAesKey(HsmKey.label(generated));
      hsm.importAesKey(HsmKey.label(imported), CryptoRandom.bytes(32));

      Cryptoki ck = Cryptoki.load(SoftHsm.MODULE);
      long session = openSession(ck, hsm.slotId());
      try {
        for (String label : new String[] {generated, imported}) {
          long key = find(ck, session, label);
          assertThat(ulong(ck, session, key, Ck.CKA_KEY_TYPE)).isEqualTo(Ck.CKK_AES);
          assertThat(ulong(ck, session, key, Ck.CKA_VALUE_LEN)).isEqualTo(32);
          assertThat(bool(ck, session, key, Ck.CKA_TOKEN)).isTrue();
          assertThat(bool(ck, session, key, Ck.CKA_PRIVATE)).isTrue();
          assertThat(bool(ck, session, key, Ck.CKA_SENSITIVE)).isTrue();
          assertThat(bool(ck, session, key, Ck.CKA_EXTRACTABLE)).isFalse();
          assertThat(readValue(ck, session, key))
              .isEqualTo(ReturnCode.CKR_ATTRIBUTE_SENSITIVE.value());
        }
      } finally {
        long ignored = (long) ck.closeSession.invokeExact(session);
      }
    }
  }

  @Test
  void sunPkcs11GeneratesAndImportsSensitiveNeverExtractableKeys() throws Throwable {
    String generated = "attributes-" + UUID.randomUUID();
    String imported = "attributes-" + UUID.randomUUID();
    try (Hsm hsm =
        Hsm.open(
            SoftHsm.get().config(SoftHsm.TOKEN).backend(HsmConfig.Backend.SUNPKCS11).build())) {
      hsm.generateAesKey(HsmKey.label(generated));
      hsm.importAesKey(HsmKey.label(imported), CryptoRandom.bytes(32));
    }
    Cryptoki ck = Cryptoki.load(SoftHsm.MODULE);
    try (FfmHsm ffm = FfmHsm.open(SoftHsm.get().config(SoftHsm.TOKEN).build())) {
      ffm.random(1);
      long session = openSession(ck, ffm.slotId());
      try {
        for (String label : new String[] {generated, imported}) {
          long key = find(ck, session, label);
          assertThat(bool(ck, session, key, Ck.CKA_TOKEN)).isTrue();
          assertThat(bool(ck, session, key, Ck.CKA_PRIVATE)).isTrue();
          assertThat(bool(ck, session, key, Ck.CKA_SENSITIVE)).isTrue();
          assertThat(bool(ck, session, key, Ck.CKA_EXTRACTABLE)).isFalse();
        }
      } finally {
        long ignored = (long) ck.closeSession.invokeExact(session);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyPairType.class,
      names = {"EC_P256", "RSA_2048"})
  void aPrivateKeyIsSensitiveNeverExtractableAndSignsOnly(KeyPairType type) throws Throwable {
    String label = "attributes-" + UUID.randomUUID();
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    try (FfmHsm hsm =
        FfmHsm.open(SoftHsm.get().config(SoftHsm.TOKEN).auditSink(events::add).build())) {
      hsm.generateKeyPair(HsmKey.label(label), type);
      hsm.sign(
          HsmKey.label(label),
          type.isRsa() ? SignatureAlgorithm.RSA_PSS_SHA256 : SignatureAlgorithm.ECDSA_SHA256,
          new byte[] {1, 2, 3});

      Cryptoki ck = Cryptoki.load(SoftHsm.MODULE);
      long session = openSession(ck, hsm.slotId());
      try {
        long key = find(ck, session, label, ObjectClass.PRIVATE_KEY);
        assertSignOnlyPrivateKey(ck, session, key, type);
      } finally {
        long ignored = (long) ck.closeSession.invokeExact(session);
      }
    }
    assertThat(events)
        .filteredOn(e -> e.operation() == AuditEvent.Operation.SIGN)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.keyRef())
                  .contains("pkcs11:token=" + SoftHsm.TOKEN + ";object=" + label + ";type=private");
              assertThat(e.bytes()).isEqualTo(3);
              assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
            });
  }

  @ParameterizedTest
  @EnumSource(
      value = KeyPairType.class,
      names = {"EC_P384", "RSA_2048"})
  void sunPkcs11KeyPairsAreSensitiveNeverExtractableAndSignOnly(KeyPairType type) throws Throwable {
    String label = "attributes-" + UUID.randomUUID();
    try (Hsm hsm =
        Hsm.open(
            SoftHsm.get().config(SoftHsm.TOKEN).backend(HsmConfig.Backend.SUNPKCS11).build())) {
      hsm.generateKeyPair(HsmKey.label(label), type);
    }
    Cryptoki ck = Cryptoki.load(SoftHsm.MODULE);
    try (FfmHsm ffm = FfmHsm.open(SoftHsm.get().config(SoftHsm.TOKEN).build())) {
      ffm.random(1);
      long session = openSession(ck, ffm.slotId());
      try {
        // SunPKCS11's KeyStore names a private key by CKA_ID, its certificate by label and id.
        long key =
            find(
                ck,
                session,
                Ck.CKA_ID,
                label.getBytes(StandardCharsets.UTF_8),
                ObjectClass.PRIVATE_KEY);
        assertSignOnlyPrivateKey(ck, session, key, type);
      } finally {
        long ignored = (long) ck.closeSession.invokeExact(session);
      }
    }
  }

  private static void assertSignOnlyPrivateKey(
      Cryptoki ck, long session, long key, KeyPairType type) throws Throwable {
    assertThat(ulong(ck, session, key, Ck.CKA_KEY_TYPE))
        .isEqualTo(type.isRsa() ? Ck.CKK_RSA : Ck.CKK_EC);
    assertThat(bool(ck, session, key, Ck.CKA_TOKEN)).isTrue();
    assertThat(bool(ck, session, key, Ck.CKA_PRIVATE)).isTrue();
    assertThat(bool(ck, session, key, Ck.CKA_SENSITIVE)).isTrue();
    assertThat(bool(ck, session, key, Ck.CKA_EXTRACTABLE)).isFalse();
    assertThat(bool(ck, session, key, Ck.CKA_SIGN)).isTrue();
    assertThat(bool(ck, session, key, Ck.CKA_DECRYPT)).isFalse();
    assertThat(bool(ck, session, key, Ck.CKA_DERIVE)).isFalse();
    long secret = type.isRsa() ? CKA_PRIVATE_EXPONENT : Ck.CKA_VALUE;
    assertThat(read(ck, session, key, secret))
        .isEqualTo(ReturnCode.CKR_ATTRIBUTE_SENSITIVE.value());
  }

  private static long openSession(Cryptoki ck, long slot) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment handle = arena.allocate(CK_ULONG);
      long rv =
          (long)
              ck.openSession.invokeExact(
                  slot, Ck.CKF_SERIAL_SESSION, MemorySegment.NULL, MemorySegment.NULL, handle);
      assertThat(rv).isZero();
      return handle.get(CK_ULONG, 0);
    }
  }

  private static long find(Cryptoki ck, long session, String label) throws Throwable {
    return find(ck, session, label, ObjectClass.SECRET_KEY);
  }

  private static long find(Cryptoki ck, long session, String label, ObjectClass type)
      throws Throwable {
    return find(ck, session, Ck.CKA_LABEL, label.getBytes(StandardCharsets.UTF_8), type);
  }

  private static long find(
      Cryptoki ck, long session, long attribute, byte[] value, ObjectClass type) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      Template template =
          new Template(arena).ulong(Ck.CKA_CLASS, type.value).bytes(attribute, value);
      assertThat(
              (long)
                  ck.findObjectsInit.invokeExact(
                      session, template.segment(), (long) template.count()))
          .isZero();
      MemorySegment found = arena.allocate(CK_ULONG, 2);
      MemorySegment count = arena.allocate(CK_ULONG);
      assertThat((long) ck.findObjects.invokeExact(session, found, 2L, count)).isZero();
      assertThat((long) ck.findObjectsFinal.invokeExact(session)).isZero();
      assertThat(count.get(CK_ULONG, 0)).isEqualTo(1);
      return found.get(CK_ULONG, 0);
    }
  }

  private static long ulong(Cryptoki ck, long session, long key, long type) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocate(CK_ULONG);
      assertThat(getAttribute(ck, session, key, type, value, arena)).isZero();
      return value.get(CK_ULONG, 0);
    }
  }

  private static boolean bool(Cryptoki ck, long session, long key, long type) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocate(JAVA_BYTE);
      assertThat(getAttribute(ck, session, key, type, value, arena)).isZero();
      return value.get(JAVA_BYTE, 0) != 0;
    }
  }

  private static long readValue(Cryptoki ck, long session, long key) throws Throwable {
    return read(ck, session, key, Ck.CKA_VALUE);
  }

  private static long read(Cryptoki ck, long session, long key, long type) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      return getAttribute(ck, session, key, type, arena.allocate(512), arena);
    }
  }

  private static long getAttribute(
      Cryptoki ck, long session, long key, long type, MemorySegment value, Arena arena)
      throws Throwable {
    MemorySegment attribute = arena.allocate(CK_ATTRIBUTE);
    attribute.set(CK_ULONG, 0, type);
    attribute.set(POINTER, CK_ULONG.byteSize(), value);
    attribute.set(CK_ULONG, CK_ULONG.byteSize() + POINTER.byteSize(), value.byteSize());
    return (long) ck.getAttributeValue.invokeExact(session, key, attribute, 1L);
  }
}
