package com.plugsky.crypto.pkcs11.ffm;

import java.util.Locale;
import java.util.Map;

/** The PKCS#11 constants this backend uses, with the values of the OASIS headers. */
final class Ck {
  private Ck() {}

  static final long CKK_GENERIC_SECRET = 0x10;
  static final long CKK_AES = 0x1F;
  static final long CKK_EC = 0x3;
  static final long CKK_RSA = 0x0;

  static final long CKA_CLASS = 0x0;
  static final long CKA_TOKEN = 0x1;
  static final long CKA_PRIVATE = 0x2;
  static final long CKA_LABEL = 0x3;
  static final long CKA_VALUE = 0x11;
  static final long CKA_KEY_TYPE = 0x100;
  static final long CKA_ID = 0x102;
  static final long CKA_SENSITIVE = 0x103;
  static final long CKA_ENCRYPT = 0x104;
  static final long CKA_DECRYPT = 0x105;
  static final long CKA_WRAP = 0x106;
  static final long CKA_UNWRAP = 0x107;
  static final long CKA_SIGN = 0x108;
  static final long CKA_VERIFY = 0x10A;
  static final long CKA_DERIVE = 0x10C;
  static final long CKA_MODULUS = 0x120;
  static final long CKA_MODULUS_BITS = 0x121;
  static final long CKA_PUBLIC_EXPONENT = 0x122;
  static final long CKA_VALUE_LEN = 0x161;
  static final long CKA_EXTRACTABLE = 0x162;
  static final long CKA_EC_PARAMS = 0x180;
  static final long CKA_EC_POINT = 0x181;

  static final long CKM_RSA_PKCS_KEY_PAIR_GEN = 0x0;
  static final long CKM_RSA_PKCS = 0x1;
  static final long CKM_RSA_PKCS_PSS = 0xD;
  static final long CKM_SHA256_RSA_PKCS = 0x40;
  static final long CKM_SHA256_RSA_PKCS_PSS = 0x43;
  static final long CKM_SHA384_RSA_PKCS_PSS = 0x44;
  static final long CKM_SHA256 = 0x250;
  static final long CKM_SHA256_HMAC = 0x251;
  static final long CKM_GENERIC_SECRET_KEY_GEN = 0x350;
  static final long CKM_SHA384 = 0x260;
  static final long CKM_EC_KEY_PAIR_GEN = 0x1040;
  static final long CKM_ECDSA = 0x1041;
  static final long CKM_ECDSA_SHA256 = 0x1044;
  static final long CKM_ECDSA_SHA384 = 0x1045;
  static final long CKM_AES_KEY_GEN = 0x1080;
  static final long CKM_AES_GCM = 0x1087;
  static final long CKM_AES_KEY_WRAP_PAD = 0x210A;

  static final long CKF_TOKEN_PRESENT = 0x1;
  static final long CKF_RNG = 0x1;
  static final long CKF_LOGIN_REQUIRED = 0x4;
  static final long CKF_RW_SESSION = 0x2;
  static final long CKF_SERIAL_SESSION = 0x4;
  static final long CKF_ENCRYPT = 0x100;
  static final long CKF_DECRYPT = 0x200;
  static final long CKF_WRAP = 0x20000;
  static final long CKF_UNWRAP = 0x40000;
  static final long CKF_SIGN = 0x800;
  static final long CKF_VERIFY = 0x2000;
  static final long CKF_GENERATE_KEY_PAIR = 0x10000;

  static final long CKG_MGF1_SHA256 = 0x2;
  static final long CKG_MGF1_SHA384 = 0x3;

  static final long CKU_USER = 1;
  static final long CKS_RO_USER_FUNCTIONS = 1;
  static final long CKS_RW_USER_FUNCTIONS = 3;

  /** Names for the mechanisms a capability report is likely to list. */
  private static final Map<Long, String> MECHANISM_NAMES =
      Map.ofEntries(
          Map.entry(0x0L, "CKM_RSA_PKCS_KEY_PAIR_GEN"),
          Map.entry(0x1L, "CKM_RSA_PKCS"),
          Map.entry(0x9L, "CKM_RSA_PKCS_OAEP"),
          Map.entry(0xDL, "CKM_RSA_PKCS_PSS"),
          Map.entry(0x40L, "CKM_SHA256_RSA_PKCS"),
          Map.entry(0x41L, "CKM_SHA384_RSA_PKCS"),
          Map.entry(0x43L, "CKM_SHA256_RSA_PKCS_PSS"),
          Map.entry(0x44L, "CKM_SHA384_RSA_PKCS_PSS"),
          Map.entry(0x220L, "CKM_SHA_1"),
          Map.entry(0x250L, "CKM_SHA256"),
          Map.entry(0x251L, "CKM_SHA256_HMAC"),
          Map.entry(0x260L, "CKM_SHA384"),
          Map.entry(0x270L, "CKM_SHA512"),
          Map.entry(0x350L, "CKM_GENERIC_SECRET_KEY_GEN"),
          Map.entry(0x1040L, "CKM_EC_KEY_PAIR_GEN"),
          Map.entry(0x1041L, "CKM_ECDSA"),
          Map.entry(0x1044L, "CKM_ECDSA_SHA256"),
          Map.entry(0x1045L, "CKM_ECDSA_SHA384"),
          Map.entry(0x1050L, "CKM_ECDH1_DERIVE"),
          Map.entry(0x1080L, "CKM_AES_KEY_GEN"),
          Map.entry(0x1081L, "CKM_AES_ECB"),
          Map.entry(0x1082L, "CKM_AES_CBC"),
          Map.entry(0x1085L, "CKM_AES_CBC_PAD"),
          Map.entry(0x1086L, "CKM_AES_CTR"),
          Map.entry(0x1087L, "CKM_AES_GCM"),
          Map.entry(0x108AL, "CKM_AES_CMAC"),
          Map.entry(0x2109L, "CKM_AES_KEY_WRAP"),
          Map.entry(0x210AL, "CKM_AES_KEY_WRAP_PAD"));

  static String mechanismName(long mechanism) {
    String name = MECHANISM_NAMES.get(mechanism);
    return name != null ? name : "CKM_0x" + Long.toHexString(mechanism).toUpperCase(Locale.ROOT);
  }
}
