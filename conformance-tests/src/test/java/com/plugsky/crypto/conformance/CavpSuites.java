package com.plugsky.crypto.conformance;

import com.plugsky.crypto.aead.InsecureRawGcm;
import com.plugsky.crypto.conformance.vectors.CavpFile;
import com.plugsky.crypto.conformance.vectors.CavpFile.Entry;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.primitive.KeyWrapMode;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Turns NIST CAVP files into runnable cases: GCMVS encrypt (external IV) and decrypt, and KWVS
 * authenticated encryption (AE, wrap) and decryption (AD, unwrap). A {@code FAIL} entry must be
 * rejected by the integrity check itself ({@link com.plugsky.crypto.AuthenticationFailedException}):
 * its lengths are well formed, so any other exception is not the check NIST asks for.
 */
final class CavpSuites {
  private CavpSuites() {}

  /** {@code gcmEncryptExtIV*.rsp}: encrypt must give {@code CT || Tag} (tag truncated to Taglen). */
  static VectorSuite gcmEncrypt(CavpFile file) {
    return suite(file, (e, engine) -> {
      byte[] key = e.bytes("Key");
      byte[] iv = e.bytes("IV");
      byte[] pt = e.bytes("PT");
      byte[] aad = e.bytes("AAD");
      byte[] expected = WycheproofSuites.concat(e.bytes("CT"), e.bytes("Tag"));
      Optional<Outcome> malformed = checkGcmLengths(e, iv, e.bytes("Tag"));
      if (malformed.isPresent()) {
        return malformed.get();
      }
      int tagBits = e.parameter("Taglen");
      InsecureRawGcm gcm = engine.insecureRawGcm();
      return Attempt.of(() -> gcm.encrypt(key, iv, aad, pt, tagBits))
          .mustReturn("encrypt", expected, KnownRefusals.gcm(engine, key.length, iv.length));
    });
  }

  /** {@code gcmDecrypt*.rsp}: decrypt must give {@code PT}, or fail authentication for {@code FAIL}. */
  static VectorSuite gcmDecrypt(CavpFile file) {
    return suite(file, (e, engine) -> {
      byte[] key = e.bytes("Key");
      byte[] iv = e.bytes("IV");
      byte[] ct = e.bytes("CT");
      byte[] aad = e.bytes("AAD");
      byte[] tag = e.bytes("Tag");
      Optional<Outcome> malformed = checkGcmLengths(e, iv, tag).or(() -> checkOutcomeLine(e, "PT"));
      if (malformed.isPresent()) {
        return malformed.get();
      }
      Optional<String> refusal = KnownRefusals.gcm(engine, key.length, iv.length);
      Attempt decrypt = Attempt.of(() -> engine.insecureRawGcm().decrypt(key, iv, aad, ct, tag));
      return e.fail()
          ? decrypt.mustFailAuthentication("decrypt", refusal)
          : decrypt.mustReturn("decrypt", e.bytes("PT"), refusal);
    });
  }

  /** {@code KW_AE_*.txt} / {@code KWP_AE_*.txt}: wrapping {@code P} under {@code K} must give {@code C}. */
  static VectorSuite wrap(CavpFile file, KeyWrapMode mode) {
    return suite(file, (e, engine) -> {
      byte[] kek = e.bytes("K");
      byte[] p = e.bytes("P");
      Optional<Outcome> malformed = checkPlaintextLength(e, p);
      if (malformed.isPresent()) {
        return malformed.get();
      }
      if (!engine.primitives().supports(mode)) {
        return Outcome.skip(KnownRefusals.unsupportedWrap(engine, mode));
      }
      return Attempt.of(() -> engine.primitives().wrapKey(mode, kek, p)).mustReturn("wrap", e.bytes("C"), Optional.empty());
    });
  }

  /** {@code KW_AD_*.txt} / {@code KWP_AD_*.txt}: unwrapping {@code C} must give {@code P}, or fail for {@code FAIL}. */
  static VectorSuite unwrap(CavpFile file, KeyWrapMode mode) {
    return suite(file, (e, engine) -> {
      byte[] kek = e.bytes("K");
      byte[] c = e.bytes("C");
      Optional<Outcome> malformed = checkOutcomeLine(e, "P");
      if (malformed.isPresent()) {
        return malformed.get();
      }
      if (!engine.primitives().supports(mode)) {
        return Outcome.skip(KnownRefusals.unsupportedWrap(engine, mode));
      }
      Attempt unwrap = Attempt.of(() -> engine.primitives().unwrapKey(mode, kek, c));
      return e.fail()
          ? unwrap.mustFailAuthentication("unwrap", Optional.empty())
          : unwrap.mustReturn("unwrap", e.bytes("P"), Optional.empty());
    });
  }

  /** The entry's IV and tag must have the bit lengths its parameter block declares. */
  private static Optional<Outcome> checkGcmLengths(Entry e, byte[] iv, byte[] tag) {
    if (iv.length * 8 != e.parameter("IVlen") || tag.length * 8 != e.parameter("Taglen")) {
      return Optional.of(Outcome.fail(
          "vector parsed with a " + iv.length * 8 + "-bit IV and " + tag.length * 8 + "-bit tag, but its block says IVlen="
              + e.parameter("IVlen") + " Taglen=" + e.parameter("Taglen")));
    }
    return Optional.empty();
  }

  private static Optional<Outcome> checkPlaintextLength(Entry e, byte[] p) {
    if (p.length * 8 != e.parameter("PLAINTEXT LENGTH")) {
      return Optional.of(Outcome.fail(
          "vector parsed with a " + p.length * 8 + "-bit P, but its block says PLAINTEXT LENGTH=" + e.parameter("PLAINTEXT LENGTH")));
    }
    return Optional.empty();
  }

  /** A decrypt entry ends in exactly one of {@code PT = ...} (or {@code P = ...}) and {@code FAIL}. */
  private static Optional<Outcome> checkOutcomeLine(Entry e, String plaintextField) {
    if (e.fail() == e.has(plaintextField)) {
      return Optional.of(Outcome.fail("vector has " + (e.fail() ? "both " + plaintextField + " and FAIL" : "neither " + plaintextField + " nor FAIL")));
    }
    return Optional.empty();
  }

  private static VectorSuite suite(CavpFile file, BiFunction<Entry, AeadEngine, Outcome> check) {
    List<VectorCase> cases =
        file.entries().stream().map(e -> new VectorCase(e.id(), engine -> check.apply(e, engine))).toList();
    return new VectorSuite(file.name(), file.declaredCount(), cases);
  }
}
