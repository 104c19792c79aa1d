package com.plugsky.crypto.engine;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;

/**
 * The power-on self-test every engine passes before {@link Engines} hands it out: one known
 * answer per primitive it implements, plus an AEAD round trip that must reject a flipped bit.
 */
public final class KnownAnswerTest {
  // NIST CAVP gcmDecrypt256.rsp, [IVlen = 96] [PTlen = 256] [AADlen = 128] [Taglen = 128], Count = 1.
  private static final byte[] GCM_KEY = hex("f0eaf7b41b42f4500635bc05d9cede11a5363d59a6288870f527bcffeb4d6e04");
  private static final byte[] GCM_IV = hex("18f316781077a595c72d4c07");
  private static final byte[] GCM_AAD = hex("42cade3a19204b7d4843628c425c2375");
  private static final byte[] GCM_CT = hex("7a1b61009dce6b7cd4d1ea0203b179f1219dd5ce7407e12ea0a4c56c71bb791b");
  private static final byte[] GCM_TAG = hex("4419180b0b963b7289a4fa3f45c535a3");
  private static final byte[] GCM_PT = hex("400fb5ef32083b3abea957c4f068abad50c8d86bbf9351fa72e7da5171df38f9");

  // NIST CAVP KW_AE_256.txt, [PLAINTEXT LENGTH = 256], COUNT = 0.
  private static final byte[] KW_KEK = hex("8b54e6bc3d20e823d96343dc776c0db10c51708ceecc9a38a14beb4ca5b8b221");
  private static final byte[] KW_P = hex("d6192635c620dee3054e0963396b260af5c6f02695a5205f159541b4bc584bac");
  private static final byte[] KW_C = hex("b13eeb7619fab818f1519266516ceb82abc0e699a7153cf26edcb8aeb879f4c011da906841fc5956");

  // NIST CAVP KWP_AE_256.txt, [PLAINTEXT LENGTH = 72], COUNT = 0.
  private static final byte[] KWP_KEK = hex("70da43aac823c6dd37d1109f5b18feb4503c973288989745e2cc1cc21d9570c6");
  private static final byte[] KWP_P = hex("edf17d966ed896aee3");
  private static final byte[] KWP_C = hex("d67b5b2ad15c645450e23b5e7b6d682f8ae20e716d470db7");

  // RFC 4231 test case 4 (a 200-bit key: FIPS approved mode refuses HMAC keys under 112 bits).
  private static final byte[] HMAC_KEY = hex("0102030405060708090a0b0c0d0e0f10111213141516171819");
  private static final byte[] HMAC_MSG = hex("cd".repeat(50));
  private static final byte[] HMAC_TAG = hex("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");

  // RFC 5869 test case 2 (an 80-byte salt: test case 1's 13-byte salt is too short an HMAC key for approved mode).
  private static final byte[] HKDF_IKM = sequence(0x00, 0x50);
  private static final byte[] HKDF_SALT = sequence(0x60, 0xb0);
  private static final byte[] HKDF_INFO = sequence(0xb0, 0x100);
  private static final byte[] HKDF_OKM =
      hex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");

  private KnownAnswerTest() {}

  /**
   * Runs every check against {@code engine}.
   *
   * @throws SelfTestFailedException naming the first check that failed, or carrying what the engine
   *     threw during a check
   * @throws LinkageError when the engine's classes or native library turn out to be missing
   */
  public static void run(AeadEngine engine) {
    try {
      runChecks(engine);
    } catch (SelfTestFailedException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new SelfTestFailedException(
          "engine '" + engine.name() + "' failed its self-test: " + e.getMessage(), e);
    }
  }

  private static void runChecks(AeadEngine engine) {
    String name = engine.name();
    byte[] plaintext = engine.insecureRawGcm().decrypt(GCM_KEY, GCM_IV, GCM_AAD, GCM_CT, GCM_TAG);
    require(Bytes.constantTimeEquals(plaintext, GCM_PT), name, "AES-256-GCM decrypt known answer");

    try (InsecureNonceAead fixedNonce = engine.newInsecureNonceAead(GCM_KEY)) {
      byte[] sealed = new byte[GCM_CT.length + GCM_TAG.length];
      fixedNonce.encrypt(GCM_IV, GCM_PT, 0, GCM_PT.length, GCM_AAD, sealed, 0);
      require(
          Bytes.constantTimeEquals(sealed, 0, GCM_CT, 0, GCM_CT.length)
              && Bytes.constantTimeEquals(sealed, GCM_CT.length, GCM_TAG, 0, GCM_TAG.length),
          name,
          "AES-256-GCM encrypt known answer");
    }

    try (Aead aead = engine.newAead(GCM_KEY)) {
      byte[] sealed = aead.encrypt(GCM_PT, GCM_AAD);
      require(Bytes.constantTimeEquals(aead.decrypt(sealed, GCM_AAD), GCM_PT), name, "AES-256-GCM round trip");
      sealed[sealed.length - 1] ^= 1;
      boolean rejected;
      try {
        aead.decrypt(sealed, GCM_AAD);
        rejected = false;
      } catch (AuthenticationFailedException expected) {
        rejected = true;
      }
      require(rejected, name, "AES-256-GCM rejects a modified tag");
    }

    SymmetricPrimitives primitives = engine.primitives();
    if (primitives.supports(KeyWrapMode.AES_KW)) {
      require(Bytes.constantTimeEquals(primitives.unwrapKey(KeyWrapMode.AES_KW, KW_KEK, KW_C), KW_P), name, "AES-KW unwrap known answer");
    }
    if (primitives.supports(KeyWrapMode.AES_KWP)) {
      require(Bytes.constantTimeEquals(primitives.wrapKey(KeyWrapMode.AES_KWP, KWP_KEK, KWP_P), KWP_C), name, "AES-KWP wrap known answer");
    }
    require(Bytes.constantTimeEquals(primitives.hmacSha256(HMAC_KEY, HMAC_MSG), HMAC_TAG), name, "HMAC-SHA256 known answer");
    require(
        Bytes.constantTimeEquals(primitives.hkdfSha256(HKDF_IKM, HKDF_SALT, HKDF_INFO, HKDF_OKM.length), HKDF_OKM),
        name,
        "HKDF-SHA256 known answer");
  }

  private static void require(boolean passed, String engine, String check) {
    if (!passed) {
      throw new SelfTestFailedException(
          "engine '" + engine + "' failed its self-test: " + check, null);
    }
  }

  private static byte[] sequence(int fromInclusive, int toExclusive) {
    byte[] bytes = new byte[toExclusive - fromInclusive];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (fromInclusive + i);
    }
    return bytes;
  }

  private static byte[] hex(String hex) {
    return Bytes.fromHex(hex);
  }
}
