package com.plugsky.crypto.conformance;

import com.plugsky.crypto.aead.InsecureRawGcm;
import com.plugsky.crypto.conformance.vectors.WycheproofFile;
import com.plugsky.crypto.conformance.vectors.WycheproofFile.Case;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Turns Wycheproof files into runnable cases.
 *
 * <p>{@code valid}: the operation must succeed with exactly the vector's output. {@code invalid}:
 * decrypting or unwrapping must be refused with a typed exception (any output would be released
 * unchecked); encrypting, wrapping, deriving or MACing must be refused, or at least must not
 * produce the vector's output.
 * {@code acceptable}: decided per flag in {@link #ACCEPTABLE_DECISIONS}; a flag without a written
 * decision fails the case, so a new upstream flag cannot slip through unreviewed.
 */
final class WycheproofSuites {

  /**
   * The flags whose {@code acceptable} cases we have reviewed, and the decision for each. Either
   * outcome passes, but it must be a clean one (a typed refusal, or exactly the vector's output),
   * and the summary records which one happened ({@code notes}).
   */
  static final Map<String, String> ACCEPTABLE_DECISIONS =
      Map.of(
          "ShortKey",
          "AES-KW of an 8-byte key: RFC 3394 and SP 800-38F KW need at least two 64-bit semiblocks, so "
              + "refusing is right; some libraries wrap one semiblock as a single AES block (RFC 5649 style "
              + "with the RFC 3394 IV), which is accepted if the output is exactly the vector's");

  private WycheproofSuites() {}

  /** {@code aes_gcm_test.json} on {@link InsecureRawGcm}: 128/192/256-bit keys, any IV and tag size. */
  static VectorSuite aesGcm(WycheproofFile file) {
    return suite(file, (c, engine) -> {
      byte[] key = c.bytes("key");
      byte[] iv = c.bytes("iv");
      byte[] aad = c.bytes("aad");
      byte[] msg = c.bytes("msg");
      byte[] ct = c.bytes("ct");
      byte[] tag = c.bytes("tag");
      byte[] sealed = concat(ct, tag);
      int tagBits = c.groupInt("tagSize");
      InsecureRawGcm gcm = engine.insecureRawGcm();
      Optional<String> refusal = KnownRefusals.gcm(engine, key.length, iv.length);
      Attempt encrypt = Attempt.of(() -> gcm.encrypt(key, iv, aad, msg, tagBits));
      Attempt decrypt = Attempt.of(() -> gcm.decrypt(key, iv, aad, ct, tag));
      return switch (c.result()) {
        case VALID ->
            Outcome.all(
                encrypt.mustReturn("encrypt", sealed, refusal), decrypt.mustReturn("decrypt", msg, refusal));
        // Invalid GCM vectors are forged tags and empty IVs: decrypting must not release the
        // message, and encrypting must not produce the vector's ct||tag (an empty IV must be refused).
        case INVALID ->
            Outcome.all(
                decrypt.mustRefuse("decrypt", refusal), encrypt.mustNotReturn("encrypt", sealed, refusal));
        case ACCEPTABLE -> eitherWay(c, List.of(new Step("encrypt", encrypt, sealed), new Step("decrypt", decrypt, msg)));
      };
    });
  }

  /** {@code aes_wrap_test.json} (KW) or {@code aes_kwp_test.json} (KWP) on wrapKey/unwrapKey. */
  static VectorSuite keyWrap(WycheproofFile file, KeyWrapMode mode) {
    return suite(file, (c, engine) -> {
      byte[] kek = c.bytes("key");
      byte[] msg = c.bytes("msg");
      byte[] ct = c.bytes("ct");
      SymmetricPrimitives primitives = engine.primitives();
      if (!primitives.supports(mode)) {
        return Outcome.skip(KnownRefusals.unsupportedWrap(engine, mode));
      }
      Attempt wrap = Attempt.of(() -> primitives.wrapKey(mode, kek, msg));
      Attempt unwrap = Attempt.of(() -> primitives.unwrapKey(mode, kek, ct));
      return switch (c.result()) {
        case VALID ->
            Outcome.all(wrap.mustReturn("wrap", ct, Optional.empty()), unwrap.mustReturn("unwrap", msg, Optional.empty()));
        // Invalid: a modified IV or padding, a wrong length, an empty key. Unwrapping must not
        // give back msg, and wrapping msg must not give the vector's ct (a bad length must be refused).
        case INVALID ->
            Outcome.all(
                unwrap.mustRefuse("unwrap", Optional.empty()), wrap.mustNotReturn("wrap", ct, Optional.empty()));
        case ACCEPTABLE -> eitherWay(c, List.of(new Step("wrap", wrap, ct), new Step("unwrap", unwrap, msg)));
      };
    });
  }

  /** {@code hkdf_sha256_test.json}; {@code size} is the output length in bytes. */
  static VectorSuite hkdf(WycheproofFile file) {
    return suite(file, (c, engine) -> {
      byte[] ikm = c.bytes("ikm");
      byte[] salt = c.bytes("salt");
      byte[] info = c.bytes("info");
      byte[] okm = c.bytes("okm");
      int size = c.testInt("size");
      Optional<String> refusal = KnownRefusals.hkdfSalt(engine, salt.length);
      Attempt derive = Attempt.of(() -> engine.primitives().hkdfSha256(ikm, salt, info, size));
      return switch (c.result()) {
        case VALID -> derive.mustReturn("hkdf", okm, refusal);
        // Invalid: sizes over 255 * 32 bytes, which RFC 5869 forbids; they must be refused.
        case INVALID -> derive.mustNotReturn("hkdf", okm, refusal);
        case ACCEPTABLE -> eitherWay(c, List.of(new Step("hkdf", derive, okm)));
      };
    });
  }

  /** {@code hmac_sha256_test.json}; a group's {@code tagSize} may truncate the tag (compare the leading bytes). */
  static VectorSuite hmac(WycheproofFile file) {
    return suite(file, (c, engine) -> {
      byte[] key = c.bytes("key");
      byte[] msg = c.bytes("msg");
      byte[] tag = c.bytes("tag");
      int tagBits = c.groupInt("tagSize");
      if (tag.length * 8 != tagBits) {
        return Outcome.fail("vector tag has " + tag.length * 8 + " bits but the group's tagSize is " + tagBits);
      }
      Optional<String> refusal = KnownRefusals.hmacKey(engine, key.length);
      Attempt mac = Attempt.of(() -> engine.primitives().hmacSha256(key, msg)).truncatedTo(tag.length);
      return switch (c.result()) {
        case VALID -> mac.mustReturn("hmac", tag, refusal);
        // Invalid: modified tags; the MAC we compute must not match them.
        case INVALID -> mac.mustNotReturn("hmac", tag, refusal);
        case ACCEPTABLE -> eitherWay(c, List.of(new Step("hmac", mac, tag)));
      };
    });
  }

  /** One operation of an {@code acceptable} case and the output it gives when it accepts. */
  private record Step(String what, Attempt attempt, byte[] acceptedOutput) {}

  /**
   * An {@code acceptable} case whose every flag has a written decision passes when each step ends
   * cleanly: a typed refusal or exactly the vector's output. The note records which.
   */
  private static Outcome eitherWay(Case c, List<Step> steps) {
    List<String> undecided = c.flags().stream().filter(flag -> !ACCEPTABLE_DECISIONS.containsKey(flag)).toList();
    if (undecided.isEmpty() && c.flags().isEmpty()) {
      undecided = List.of("(no flags)");
    }
    if (!undecided.isEmpty()) {
      return Outcome.fail("acceptable case with flags " + undecided + " that have no documented decision in WycheproofSuites");
    }
    StringBuilder note = new StringBuilder("acceptable ").append(c.flags()).append(':');
    Outcome[] outcomes = new Outcome[steps.size()];
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      boolean refused = step.attempt().refusedWithTypedException();
      note.append(' ').append(step.what()).append(refused ? " rejected" : " accepted");
      outcomes[i] = refused ? Outcome.pass() : step.attempt().mustReturn(step.what(), step.acceptedOutput(), Optional.empty());
    }
    return Outcome.all(outcomes).noted(note.toString());
  }

  private static VectorSuite suite(WycheproofFile file, BiFunction<Case, AeadEngine, Outcome> check) {
    List<VectorCase> cases =
        file.cases().stream().map(c -> new VectorCase(c.id(), engine -> check.apply(c, engine))).toList();
    return new VectorSuite(file.name(), file.declaredCount(), cases);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = new byte[a.length + b.length];
    System.arraycopy(a, 0, joined, 0, a.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
