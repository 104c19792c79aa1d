package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_MECHANISM_INFO;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_TOKEN_INFO;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.blankPadded;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.check;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.rethrow;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.version;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.ReturnCode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/** Slot and token look-ups that need no session. */
final class Tokens {
  private Tokens() {}

  /** CK_TOKEN_INFO's flag bits by name, in bit order (PKCS#11 v3.1). */
  private static final Map<Long, String> TOKEN_FLAGS = tokenFlags();

  private static Map<Long, String> tokenFlags() {
    Map<Long, String> flags = new LinkedHashMap<>();
    flags.put(0x1L, "CKF_RNG");
    flags.put(0x2L, "CKF_WRITE_PROTECTED");
    flags.put(0x4L, "CKF_LOGIN_REQUIRED");
    flags.put(0x8L, "CKF_USER_PIN_INITIALIZED");
    flags.put(0x20L, "CKF_RESTORE_KEY_NOT_NEEDED");
    flags.put(0x40L, "CKF_CLOCK_ON_TOKEN");
    flags.put(0x100L, "CKF_PROTECTED_AUTHENTICATION_PATH");
    flags.put(0x200L, "CKF_DUAL_CRYPTO_OPERATIONS");
    flags.put(0x400L, "CKF_TOKEN_INITIALIZED");
    flags.put(0x800L, "CKF_SECONDARY_AUTHENTICATION");
    flags.put(0x10000L, "CKF_USER_PIN_COUNT_LOW");
    flags.put(0x20000L, "CKF_USER_PIN_FINAL_TRY");
    flags.put(0x40000L, "CKF_USER_PIN_LOCKED");
    flags.put(0x80000L, "CKF_USER_PIN_TO_BE_CHANGED");
    flags.put(0x100000L, "CKF_SO_PIN_COUNT_LOW");
    flags.put(0x200000L, "CKF_SO_PIN_FINAL_TRY");
    flags.put(0x400000L, "CKF_SO_PIN_LOCKED");
    flags.put(0x800000L, "CKF_SO_PIN_TO_BE_CHANGED");
    flags.put(0x1000000L, "CKF_ERROR_STATE");
    return Collections.unmodifiableMap(flags);
  }

  /** A present token: its slot, label and CK_TOKEN_INFO flags. */
  record Token(long slot, String label, long flags) {}

  static Token inSlot(Cryptoki ck, long slot) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = tokenInfo(ck, slot, arena);
      return new Token(
          slot,
          blankPadded(info, 0, 32),
          info.get(CK_ULONG, CK_TOKEN_INFO.byteOffset(groupElement("flags"))));
    }
  }

  /** The CK_TOKEN_INFO of the token in {@code slot}, its flags by name. */
  static TokenDirectory.TokenInfo details(Cryptoki ck, long slot) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = tokenInfo(ck, slot, arena);
      long flags = info.get(CK_ULONG, CK_TOKEN_INFO.byteOffset(groupElement("flags")));
      List<String> flagNames = new ArrayList<>();
      TOKEN_FLAGS.forEach(
          (bit, name) -> {
            if ((flags & bit) != 0) {
              flagNames.add(name);
            }
          });
      return new TokenDirectory.TokenInfo(
          blankPadded(info, CK_TOKEN_INFO.byteOffset(groupElement("label")), 32),
          blankPadded(info, CK_TOKEN_INFO.byteOffset(groupElement("manufacturerID")), 32),
          blankPadded(info, CK_TOKEN_INFO.byteOffset(groupElement("model")), 16),
          blankPadded(info, CK_TOKEN_INFO.byteOffset(groupElement("serialNumber")), 16),
          version(info, CK_TOKEN_INFO.byteOffset(groupElement("hardwareVersion"))),
          version(info, CK_TOKEN_INFO.byteOffset(groupElement("firmwareVersion"))),
          flagNames);
    }
  }

  private static MemorySegment tokenInfo(Cryptoki ck, long slot, Arena arena) {
    MemorySegment info = arena.allocate(CK_TOKEN_INFO);
    long rv;
    try {
      rv = (long) ck.getTokenInfo.invokeExact(slot, info);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    check("C_GetTokenInfo", rv, "slot " + slot + " of " + ck.path);
    return info;
  }

  /**
   * The one present token labelled {@code label}.
   *
   * @throws KeyUnavailableException when none is (a token may be plugged in later)
   * @throws ConfigurationException when several are
   */
  static Token labelled(Cryptoki ck, String label) {
    List<Token> matches = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (long slot : slotsWithTokens(ck)) {
      Token candidate;
      try {
        candidate = inSlot(ck, slot);
      } catch (KeyUnavailableException e) {
        // A broken token in another slot must not hide the one asked for.
        seen.add(
            "slot " + slot + " (" + ReturnCode.of(e).map(Enum::name).orElse("unreadable") + ")");
        continue;
      }
      seen.add(candidate.label());
      if (candidate.label().equals(label)) {
        matches.add(candidate);
      }
    }
    if (matches.isEmpty()) {
      throw new KeyUnavailableException(
          "no token labelled " + label + " in " + ck.path + "; present: " + seen);
    }
    if (matches.size() > 1) {
      throw new ConfigurationException(
          "several tokens are labelled " + label + " in " + ck.path + "; choose one by slot id");
    }
    return matches.getFirst();
  }

  private static List<Long> slotsWithTokens(Cryptoki ck) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment count = arena.allocate(CK_ULONG);
      long rv;
      try {
        rv = (long) ck.getSlotList.invokeExact((byte) 1, MemorySegment.NULL, count);
      } catch (Throwable e) {
        throw rethrow(e);
      }
      check("C_GetSlotList", rv, ck.path.toString());
      MemorySegment slots = arena.allocate(CK_ULONG, Math.max(1, count.get(CK_ULONG, 0)));
      try {
        rv = (long) ck.getSlotList.invokeExact((byte) 1, slots, count);
      } catch (Throwable e) {
        throw rethrow(e);
      }
      check("C_GetSlotList", rv, ck.path.toString());
      List<Long> result = new ArrayList<>();
      for (long i = 0; i < count.get(CK_ULONG, 0); i++) {
        result.add(slots.getAtIndex(CK_ULONG, i));
      }
      return result;
    }
  }

  /** The token's mechanisms by name. */
  static SortedSet<String> mechanisms(Cryptoki ck, Token token) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment count = arena.allocate(CK_ULONG);
      long rv;
      try {
        rv = (long) ck.getMechanismList.invokeExact(token.slot(), MemorySegment.NULL, count);
      } catch (Throwable e) {
        throw rethrow(e);
      }
      check("C_GetMechanismList", rv, "token " + token.label());
      MemorySegment list = arena.allocate(CK_ULONG, Math.max(1, count.get(CK_ULONG, 0)));
      try {
        rv = (long) ck.getMechanismList.invokeExact(token.slot(), list, count);
      } catch (Throwable e) {
        throw rethrow(e);
      }
      check("C_GetMechanismList", rv, "token " + token.label());
      SortedSet<String> names = new TreeSet<>();
      for (long i = 0; i < count.get(CK_ULONG, 0); i++) {
        names.add(Ck.mechanismName(list.getAtIndex(CK_ULONG, i)));
      }
      return names;
    }
  }

  /** The CKF_ flags of {@code mechanism} on the token, 0 when it lacks the mechanism. */
  static long mechanismFlags(Cryptoki ck, Token token, long mechanism) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(CK_MECHANISM_INFO);
      long rv;
      try {
        rv = (long) ck.getMechanismInfo.invokeExact(token.slot(), mechanism, info);
      } catch (Throwable e) {
        throw rethrow(e);
      }
      if (rv == ReturnCode.CKR_MECHANISM_INVALID.value()) {
        return 0;
      }
      check("C_GetMechanismInfo", rv, "token " + token.label());
      return info.get(CK_ULONG, CK_MECHANISM_INFO.byteOffset(groupElement("flags")));
    }
  }
}
