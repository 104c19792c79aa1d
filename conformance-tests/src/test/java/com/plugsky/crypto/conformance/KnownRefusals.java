package com.plugsky.crypto.conformance;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.primitive.KeyWrapMode;
import java.util.Optional;

/**
 * The documented reasons an engine may refuse a conformance vector. A refusal counts as a skip
 * only when the engine threw the typed {@link com.plugsky.crypto.InvalidInputException}
 * <em>and</em> the case matches a rule here; any other refusal is a failure. Every rule names its
 * source, so the list can be reviewed and shrunk when an engine gains support.
 */
final class KnownRefusals {
  /** Wycheproof and CAVP GCM vectors with IVs under 96 bits (8..80 bits) on bc-fips. */
  static final String BC_FIPS_SHORT_GCM_IV =
      "bc-fips refuses GCM IVs shorter than 96 bits in every mode (BC-FIPS 2.x: 'IV must be at least 12 bytes'; "
          + "SP 800-38D 8.2 only approves 96-bit deterministic or >=96-bit random IVs)";

  /** HMAC keys, and HKDF salts (the extract step's HMAC key), under 112 bits in approved-only mode. */
  static final String FIPS_SHORT_HMAC_KEY =
      "FIPS approved-only mode refuses HMAC keys (and HKDF salts, which key the extract HMAC) shorter than "
          + "112 bits (SP 800-131A Rev.2 / SP 800-107 Rev.1 security strength; BC-FIPS 'Key size for HMAC must be "
          + "at least 112 bits in approved mode')";

  private static final int MIN_FIPS_IV_BYTES = 12;
  private static final int MIN_FIPS_HMAC_KEY_BYTES = 14;

  private KnownRefusals() {}

  /** Why {@code engine} may refuse raw GCM with this key and IV length, if it may. */
  static Optional<String> gcm(AeadEngine engine, int keyBytes, int ivBytes) {
    if (engine.name().equals("bc-fips") && ivBytes > 0 && ivBytes < MIN_FIPS_IV_BYTES) {
      return Optional.of(BC_FIPS_SHORT_GCM_IV);
    }
    if (ivBytes > 0 && !engine.insecureRawGcm().supportsIvLength(ivBytes)) {
      return Optional.of(engine.name() + " declares it takes no " + ivBytes * 8
          + "-bit GCM IVs (InsecureRawGcm.supportsIvLength: Conscrypt takes 96-bit IVs only, OpenSSL 3 at most 1024 bits)");
    }
    if (!engine.insecureRawGcm().supportsKeyLength(keyBytes)) {
      return Optional.of(engine.name() + " declares it takes no " + keyBytes * 8
          + "-bit AES keys (InsecureRawGcm.supportsKeyLength: Conscrypt has no AES-192)");
    }
    return Optional.empty();
  }

  /** The reason an engine that lacks a key-wrap mode (it says so through supports()) skips its vectors. */
  static String unsupportedWrap(AeadEngine engine, KeyWrapMode mode) {
    return engine.name() + " does not implement " + mode + " (SymmetricPrimitives.supports is false; e.g. ACCP has"
        + " AES-KWP but no RFC 3394 AES-KW, Conscrypt has no key wrap)";
  }

  /** Why {@code engine} may refuse an HMAC key of {@code keyBytes}, if it may. */
  static Optional<String> hmacKey(AeadEngine engine, int keyBytes) {
    if (engine.isFipsApproved() && keyBytes < MIN_FIPS_HMAC_KEY_BYTES) {
      return Optional.of(FIPS_SHORT_HMAC_KEY);
    }
    return Optional.empty();
  }

  /**
   * Why {@code engine} may refuse HKDF with a salt of {@code saltBytes}: an empty salt means
   * 32 zero bytes (RFC 5869 2.2), which every engine accepts; a short non-empty one is an HMAC key
   * under 112 bits.
   */
  static Optional<String> hkdfSalt(AeadEngine engine, int saltBytes) {
    return saltBytes == 0 ? Optional.empty() : hmacKey(engine, saltBytes);
  }
}
