package com.plugsky.crypto.pkcs11.ffm;

import java.nio.file.Path;
import java.util.SortedSet;

/**
 * Session-free facts about a module's tokens, read through this package's binding: the slot that
 * holds a labelled token, and a token's mechanisms by PKCS#11 name. Other backends use it where
 * their own API cannot tell (SunPKCS11 chooses tokens only by slot and lists no mechanisms).
 */
public final class TokenDirectory {
  private TokenDirectory() {}

  /**
   * The slot of the one present token labelled {@code tokenLabel} in {@code module}.
   *
   * @throws com.plugsky.crypto.KeyUnavailableException when no present token has that label
   */
  public static long slotOf(Path module, String tokenLabel) {
    return Tokens.labelled(Cryptoki.load(module), tokenLabel).slot();
  }

  /** The module's {@code CK_INFO.manufacturerID}, e.g. {@code SoftHSM}. */
  public static String manufacturer(Path module) {
    return Cryptoki.load(module).manufacturer;
  }

  /** The label of the token in {@code slot}. */
  public static String labelIn(Path module, long slot) {
    return Tokens.inSlot(Cryptoki.load(module), slot).label();
  }

  /** The mechanisms of the token in {@code slot}, e.g. {@code CKM_AES_GCM}. */
  public static SortedSet<String> mechanisms(Path module, long slot) {
    Cryptoki ck = Cryptoki.load(module);
    return Tokens.mechanisms(ck, Tokens.inSlot(ck, slot));
  }
}
