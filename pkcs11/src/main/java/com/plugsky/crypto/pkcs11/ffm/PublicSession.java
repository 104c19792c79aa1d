package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_GCM_PARAMS;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_MECHANISM;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_SESSION_INFO;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.POINTER;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.check;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.rethrow;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.ReturnCode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A session that never logs in, to check that a token keeps its private and secret keys from an
 * application that is not logged in. PKCS#11 keeps the login state per application, so this must
 * run in a process that has not logged in to the token (hsm-check starts one): a session that turns
 * out to be logged in is refused with a {@link ConfigurationException}.
 */
public final class PublicSession {
  private static final long CKS_RO_PUBLIC_SESSION = 0;

  /** How far a session that is not logged in got with a key. */
  public enum Access {
    /** The token did not show it the key (PKCS#11: private objects are invisible). */
    NOT_VISIBLE,
    /** It found the key but the token refused to start an operation with it. */
    REFUSED,
    /** The token let it encrypt or sign with the key. */
    ALLOWED
  }

  /** What one attempt came to, with the PKCS#11 code for {@link Access#REFUSED}. */
  public record Attempt(Access access, String detail) {}

  private PublicSession() {}

  /** Tries to encrypt one AES-GCM block with {@code key}'s secret key. */
  public static Attempt encryptWith(HsmConfig config, HsmKey key) {
    return attempt(config, key, ObjectClass.SECRET_KEY);
  }

  /** Tries to sign a SHA-256 hash with {@code key}'s private key (CKM_ECDSA). */
  public static Attempt signWith(HsmConfig config, HsmKey key) {
    return attempt(config, key, ObjectClass.PRIVATE_KEY);
  }

  private static Attempt attempt(HsmConfig config, HsmKey key, ObjectClass type) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(key, "key");
    Cryptoki ck = Cryptoki.load(config.modulePath());
    Tokens.Token token =
        config.tokenLabel().isPresent()
            ? Tokens.labelled(ck, config.tokenLabel().get())
            : Tokens.inSlot(ck, config.slotId().orElseThrow());
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment handle = arena.allocate(CK_ULONG);
      long rv;
      try {
        rv =
            (long)
                ck.openSession.invokeExact(
                    token.slot(),
                    Ck.CKF_SERIAL_SESSION,
                    MemorySegment.NULL,
                    MemorySegment.NULL,
                    handle);
      } catch (Throwable e) {
        throw rethrow(e);
      }
      check("C_OpenSession", rv, "token " + token.label());
      long session = handle.get(CK_ULONG, 0);
      try {
        requirePublic(ck, session, arena);
        long object = findOne(ck, session, key, type, arena);
        if (object < 0) {
          return new Attempt(Access.NOT_VISIBLE, "no " + type.description + " " + key + " visible");
        }
        return type == ObjectClass.SECRET_KEY
            ? encrypt(ck, session, object, arena)
            : sign(ck, session, object, arena);
      } finally {
        try {
          long ignored = (long) ck.closeSession.invokeExact(session);
        } catch (Throwable e) {
          throw rethrow(e);
        }
      }
    }
  }

  private static void requirePublic(Cryptoki ck, long session, Arena arena) {
    MemorySegment info = arena.allocate(CK_SESSION_INFO);
    long rv;
    try {
      rv = (long) ck.getSessionInfo.invokeExact(session, info);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    check("C_GetSessionInfo", rv, "a fresh session");
    long state = info.get(CK_ULONG, CK_SESSION_INFO.byteOffset(groupElement("state")));
    if (state != CKS_RO_PUBLIC_SESSION) {
      throw new ConfigurationException(
          "a fresh read-only session is in state "
              + state
              + ", not CKS_RO_PUBLIC_SESSION: this application is logged in, so it cannot test"
              + " logged-out use");
    }
  }

  /** The one matching object's handle, or -1 when none is visible. */
  private static long findOne(
      Cryptoki ck, long session, HsmKey key, ObjectClass type, Arena arena) {
    Template template = new Template(arena).ulong(Ck.CKA_CLASS, type.value);
    key.label()
        .ifPresent(label -> template.bytes(Ck.CKA_LABEL, label.getBytes(StandardCharsets.UTF_8)));
    key.id().ifPresent(id -> template.bytes(Ck.CKA_ID, id));
    MemorySegment found = arena.allocate(CK_ULONG);
    MemorySegment count = arena.allocate(CK_ULONG);
    long rv;
    try {
      rv =
          (long)
              ck.findObjectsInit.invokeExact(session, template.segment(), (long) template.count());
      check("C_FindObjectsInit", rv, key.toString());
      rv = (long) ck.findObjects.invokeExact(session, found, 1L, count);
      long ignored = (long) ck.findObjectsFinal.invokeExact(session);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    check("C_FindObjects", rv, key.toString());
    return count.get(CK_ULONG, 0) == 0 ? -1 : found.get(CK_ULONG, 0);
  }

  private static Attempt encrypt(Cryptoki ck, long session, long object, Arena arena) {
    MemorySegment params = arena.allocate(CK_GCM_PARAMS);
    params.set(POINTER, CK_GCM_PARAMS.byteOffset(groupElement("pIv")), arena.allocate(12));
    params.set(CK_ULONG, CK_GCM_PARAMS.byteOffset(groupElement("ulIvLen")), 12);
    params.set(CK_ULONG, CK_GCM_PARAMS.byteOffset(groupElement("ulIvBits")), 96);
    params.set(CK_ULONG, CK_GCM_PARAMS.byteOffset(groupElement("ulTagBits")), 128);
    MemorySegment mechanism = mechanism(arena, Ck.CKM_AES_GCM, params, CK_GCM_PARAMS.byteSize());
    return run(ck.encryptInit, ck.encrypt, "C_EncryptInit", session, object, mechanism, 16, arena);
  }

  private static Attempt sign(Cryptoki ck, long session, long object, Arena arena) {
    MemorySegment mechanism = mechanism(arena, Ck.CKM_ECDSA, MemorySegment.NULL, 0);
    return run(ck.signInit, ck.sign, "C_SignInit", session, object, mechanism, 32, arena);
  }

  /** Starts the operation and, if the token lets it, completes it on {@code inputLength} zeros. */
  private static Attempt run(
      MethodHandle init,
      MethodHandle operation,
      String initName,
      long session,
      long object,
      MemorySegment mechanism,
      int inputLength,
      Arena arena) {
    long rv;
    try {
      rv = (long) init.invokeExact(session, mechanism, object);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    if (rv != ReturnCode.CKR_OK.value()) {
      return new Attempt(Access.REFUSED, initName + " returned " + ReturnCode.describe(rv));
    }
    MemorySegment in = arena.allocate(inputLength);
    MemorySegment out = arena.allocate(1024);
    MemorySegment outLength = arena.allocate(CK_ULONG);
    outLength.set(CK_ULONG, 0, out.byteSize());
    try {
      rv = (long) operation.invokeExact(session, in, (long) inputLength, out, outLength);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    return rv == ReturnCode.CKR_OK.value()
        ? new Attempt(Access.ALLOWED, initName + " and the operation succeeded without a login")
        : new Attempt(
            Access.REFUSED,
            initName + " succeeded, then the operation returned " + ReturnCode.describe(rv));
  }

  private static MemorySegment mechanism(
      Arena arena, long type, MemorySegment parameter, long parameterLength) {
    MemorySegment mechanism = arena.allocate(CK_MECHANISM);
    mechanism.set(CK_ULONG, CK_MECHANISM.byteOffset(groupElement("mechanism")), type);
    mechanism.set(POINTER, CK_MECHANISM.byteOffset(groupElement("pParameter")), parameter);
    mechanism.set(
        CK_ULONG, CK_MECHANISM.byteOffset(groupElement("ulParameterLen")), parameterLength);
    return mechanism;
  }
}
