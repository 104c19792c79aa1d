package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ATTRIBUTE;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.POINTER;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig.Backend;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SoftHSM re-reads token objects from disk on every use, so the ffm and iaik backends sign with an
 * unnamed session copy of each private key (TOKEN_OBJECTS_REREAD_ON_USE): the copy must be as
 * sensitive as the key, made once, invisible to lookups by name, gone when the key is destroyed,
 * and made again when the session that held it closed.
 */
class SigningCopyIT {
  private static final byte[] DATA = "certificate verify input".getBytes(StandardCharsets.US_ASCII);

  @ParameterizedTest
  @EnumSource(
      value = Backend.class,
      names = {"FFM", "IAIK"})
  void signsWithAnUnnamedSensitiveUnextractableSessionCopyMadeOnce(Backend backend)
      throws Throwable {
    try (Hsm hsm = Hsm.open(SoftHsm.get().config(SoftHsm.TOKEN).backend(backend).build())) {
      HsmKey key = HsmKey.label("signing-copy-" + UUID.randomUUID());
      hsm.generateKeyPair(key, KeyPairType.EC_P256);
      Cryptoki ck = Cryptoki.load(SoftHsm.MODULE);
      long session = openSession(ck, TokenDirectory.slotOf(SoftHsm.MODULE, SoftHsm.TOKEN));
      try {
        List<Long> before = sessionPrivateKeys(ck, session);

        assertThat(verifies(hsm, key, hsm.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)))
            .isTrue();
        assertThat(verifies(hsm, key, hsm.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA)))
            .isTrue();

        List<Long> copies = sessionPrivateKeys(ck, session);
        copies.removeAll(before);
        assertThat(copies).hasSize(1);
        long copy = copies.getFirst();
        assertThat(bool(ck, session, copy, Ck.CKA_TOKEN)).isFalse();
        assertThat(bool(ck, session, copy, Ck.CKA_SENSITIVE)).isTrue();
        assertThat(bool(ck, session, copy, Ck.CKA_EXTRACTABLE)).isFalse();
        assertThat(attributeLength(ck, session, copy, Ck.CKA_LABEL)).isZero();
        assertThat(named(ck, session, key)).hasSize(1);
      } finally {
        long ignored = (long) ck.closeSession.invokeExact(session);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Backend.class,
      names = {"FFM", "IAIK"})
  void aDestroyedKeyStopsSigningAndTakesItsCopyWithIt(Backend backend) throws Throwable {
    try (Hsm hsm = Hsm.open(SoftHsm.get().config(SoftHsm.TOKEN).backend(backend).build())) {
      HsmKey key = HsmKey.label("signing-copy-" + UUID.randomUUID());
      hsm.generateKeyPair(key, KeyPairType.EC_P256);
      Cryptoki ck = Cryptoki.load(SoftHsm.MODULE);
      long session = openSession(ck, TokenDirectory.slotOf(SoftHsm.MODULE, SoftHsm.TOKEN));
      try {
        List<Long> before = sessionPrivateKeys(ck, session);
        hsm.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA);

        hsm.destroyKey(key);

        assertThatThrownBy(() -> hsm.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA))
            .isInstanceOf(KeyUnavailableException.class);
        assertThat(sessionPrivateKeys(ck, session)).containsExactlyInAnyOrderElementsOf(before);
      } finally {
        long ignored = (long) ck.closeSession.invokeExact(session);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Backend.class,
      names = {"FFM", "IAIK"})
  void threadsSigningWithANewKeyAtOnceShareOneCopy(Backend backend) throws Throwable {
    try (Hsm hsm =
        Hsm.open(SoftHsm.get().config(SoftHsm.TOKEN).backend(backend).maxSessions(4).build())) {
      HsmKey key = HsmKey.label("signing-copy-" + UUID.randomUUID());
      hsm.generateKeyPair(key, KeyPairType.EC_P256);
      Cryptoki ck = Cryptoki.load(SoftHsm.MODULE);
      long session = openSession(ck, TokenDirectory.slotOf(SoftHsm.MODULE, SoftHsm.TOKEN));
      try {
        List<Long> before = sessionPrivateKeys(ck, session);
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
          List<Future<byte[]>> signatures = new ArrayList<>();
          for (int i = 0; i < 4; i++) {
            signatures.add(
                threads.submit(
                    () -> {
                      start.await();
                      return hsm.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA);
                    }));
          }
          start.countDown();
          for (Future<byte[]> signature : signatures) {
            assertThat(verifies(hsm, key, signature.get())).isTrue();
          }
        }

        List<Long> copies = sessionPrivateKeys(ck, session);
        copies.removeAll(before);
        assertThat(copies).hasSize(1);
      } finally {
        long ignored = (long) ck.closeSession.invokeExact(session);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = Backend.class,
      names = {"FFM", "IAIK"})
  void aCopyLostWithItsSessionIsMadeAgain(Backend backend) throws Throwable {
    try (Hsm hsm =
        Hsm.open(SoftHsm.get().config(SoftHsm.RECOVERY_TOKEN).backend(backend).build())) {
      HsmKey key = HsmKey.label("signing-copy-" + UUID.randomUUID());
      hsm.generateKeyPair(key, KeyPairType.EC_P256);
      hsm.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA);
      Cryptoki ck = Cryptoki.load(SoftHsm.MODULE);

      long rv =
          (long)
              ck.closeAllSessions.invokeExact(
                  TokenDirectory.slotOf(SoftHsm.MODULE, SoftHsm.RECOVERY_TOKEN));
      assertThat(rv).isZero();

      assertThat(verifies(hsm, key, hsm.sign(key, SignatureAlgorithm.ECDSA_SHA256, DATA))).isTrue();
    }
  }

  private static boolean verifies(Hsm hsm, HsmKey key, byte[] signature) throws Exception {
    Signature verifier = Signature.getInstance(SignatureAlgorithm.ECDSA_SHA256.jcaName());
    verifier.initVerify(hsm.publicKey(key));
    verifier.update(DATA);
    return verifier.verify(signature);
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

  /** Private keys that are session objects: the copies, as seen from another session. */
  private static List<Long> sessionPrivateKeys(Cryptoki ck, long session) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      return find(
          ck,
          session,
          new Template(arena)
              .ulong(Ck.CKA_CLASS, ObjectClass.PRIVATE_KEY.value)
              .bool(Ck.CKA_TOKEN, false),
          arena);
    }
  }

  private static List<Long> named(Cryptoki ck, long session, HsmKey key) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      return find(
          ck,
          session,
          new Template(arena)
              .ulong(Ck.CKA_CLASS, ObjectClass.PRIVATE_KEY.value)
              .bytes(Ck.CKA_LABEL, key.label().orElseThrow().getBytes(StandardCharsets.UTF_8)),
          arena);
    }
  }

  private static List<Long> find(Cryptoki ck, long session, Template template, Arena arena)
      throws Throwable {
    assertThat(
            (long)
                ck.findObjectsInit.invokeExact(
                    session, template.segment(), (long) template.count()))
        .isZero();
    MemorySegment found = arena.allocate(CK_ULONG, 256);
    MemorySegment count = arena.allocate(CK_ULONG);
    assertThat((long) ck.findObjects.invokeExact(session, found, 256L, count)).isZero();
    assertThat((long) ck.findObjectsFinal.invokeExact(session)).isZero();
    List<Long> handles = new ArrayList<>();
    for (long i = 0; i < count.get(CK_ULONG, 0); i++) {
      handles.add(found.getAtIndex(CK_ULONG, i));
    }
    return handles;
  }

  private static boolean bool(Cryptoki ck, long session, long object, long type) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocate(JAVA_BYTE);
      MemorySegment attribute = attribute(arena, type, value, 1);
      assertThat((long) ck.getAttributeValue.invokeExact(session, object, attribute, 1L)).isZero();
      return value.get(JAVA_BYTE, 0) != 0;
    }
  }

  private static long attributeLength(Cryptoki ck, long session, long object, long type)
      throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment attribute = attribute(arena, type, MemorySegment.NULL, 0);
      assertThat((long) ck.getAttributeValue.invokeExact(session, object, attribute, 1L)).isZero();
      return attribute.get(CK_ULONG, CK_ULONG.byteSize() + POINTER.byteSize());
    }
  }

  private static MemorySegment attribute(Arena arena, long type, MemorySegment value, long length) {
    MemorySegment attribute = arena.allocate(CK_ATTRIBUTE);
    attribute.set(CK_ULONG, 0, type);
    attribute.set(POINTER, CK_ULONG.byteSize(), value);
    attribute.set(CK_ULONG, CK_ULONG.byteSize() + POINTER.byteSize(), length);
    return attribute;
  }
}
