package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_MECHANISM_INFO;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_TOKEN_INFO;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.blankPadded;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.check;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.rethrow;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.ReturnCode;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** Slot and token look-ups that need no session. */
final class Tokens {
  private Tokens() {}

  /** A present token: its slot, label and CK_TOKEN_INFO flags. */
  record Token(long slot, String label, long flags) {}

  static Token inSlot(Cryptoki ck, long slot) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(CK_TOKEN_INFO);
      long rv;
      try {
        rv = (long) ck.getTokenInfo.invokeExact(slot, info);
      } catch (Throwable e) {
        throw rethrow(e);
      }
      check("C_GetTokenInfo", rv, "slot " + slot + " of " + ck.path);
      return new Token(
          slot,
          blankPadded(info, 0, 32),
          info.get(CK_ULONG, CK_TOKEN_INFO.byteOffset(groupElement("flags"))));
    }
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
