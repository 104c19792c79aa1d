package com.plugsky.crypto.pkcs11.ffm;

import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;

/**
 * Session-free facts about a module's tokens, read through this package's binding: the slot that
 * holds a labelled token, a token's mechanisms by PKCS#11 name, and what the module and a token say
 * about themselves (CK_INFO, CK_TOKEN_INFO). Other backends use it where their own API cannot tell
 * (SunPKCS11 chooses tokens only by slot and lists no mechanisms).
 */
public final class TokenDirectory {
  private TokenDirectory() {}

  /**
   * A module's CK_INFO.
   *
   * @param cryptokiVersion the PKCS#11 version it implements, e.g. {@code 2.40}
   * @param manufacturer its manufacturerID, e.g. {@code SoftHSM}
   * @param description its libraryDescription
   * @param libraryVersion its own version, e.g. {@code 2.6}
   */
  public record ModuleInfo(
      String cryptokiVersion, String manufacturer, String description, String libraryVersion) {}

  /**
   * A token's CK_TOKEN_INFO, without its counters and clock.
   *
   * @param label the label, trailing blanks removed
   * @param manufacturer the manufacturerID
   * @param model the model
   * @param serialNumber the serial number
   * @param hardwareVersion e.g. {@code 2.6}
   * @param firmwareVersion e.g. {@code 2.6}
   * @param flags the CKF_ flags that are set, by name (e.g. {@code CKF_LOGIN_REQUIRED})
   */
  public record TokenInfo(
      String label,
      String manufacturer,
      String model,
      String serialNumber,
      String hardwareVersion,
      String firmwareVersion,
      List<String> flags) {
    public TokenInfo {
      flags = List.copyOf(flags);
    }
  }

  /**
   * The CK_INFO of {@code module}.
   *
   * @throws com.plugsky.crypto.ConfigurationException when it is no loadable PKCS#11 module
   */
  public static ModuleInfo moduleInfo(Path module) {
    return Cryptoki.load(module).info;
  }

  /** The CK_TOKEN_INFO of the token in {@code slot}. */
  public static TokenInfo tokenInfo(Path module, long slot) {
    return Tokens.details(Cryptoki.load(module), slot);
  }

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
