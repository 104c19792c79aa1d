package com.plugsky.crypto.conformance;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.conformance.vectors.CavpFile;
import com.plugsky.crypto.conformance.vectors.CavpFile.Entry;
import com.plugsky.crypto.conformance.vectors.WycheproofFile;
import com.plugsky.crypto.conformance.vectors.WycheproofFile.Case;
import com.plugsky.crypto.engine.AeadEngine;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The AES-GCM vectors again, through the AEAD code each engine ships ({@link
 * AeadEngine#newInsecureNonceAead}, the contexts, scratch memory and buffer paths that {@code
 * Aead}s and the envelope run on) rather than through {@link
 * com.plugsky.crypto.aead.InsecureRawGcm}, a separate path kept for vectors of any IV and tag size.
 * That API takes AES-256, 96-bit nonces and 128-bit tags only, so the other entries are skipped,
 * counted and named; each suite declares how many it must run, so a change that skipped them all
 * would fail. Every entry runs on byte arrays and on direct buffers.
 */
final class ShippedAeadSuites {
  private static final int KEY_BYTES = Aead.KEY_LENGTH;
  private static final int NONCE_BYTES = Aead.NONCE_LENGTH;
  private static final int TAG_BYTES = Aead.TAG_LENGTH;
  private static final String OTHER_SIZES =
      "the shipped Aead takes AES-256 with 96-bit nonces and 128-bit tags only (the raw-GCM run"
          + " covers the other sizes)";

  private ShippedAeadSuites() {}

  /** {@code gcmEncryptExtIV256.rsp}: sealing must give {@code CT || Tag}. */
  static VectorSuite cavpEncrypt(CavpFile file) {
    return cavp(
        file,
        (e, engine, sealed) ->
            seal(engine, e.bytes("Key"), e.bytes("IV"), e.bytes("AAD"), e.bytes("PT"), sealed));
  }

  /** {@code gcmDecrypt256.rsp}: opening must give {@code PT}, or fail authentication for FAIL. */
  static VectorSuite cavpDecrypt(CavpFile file) {
    return cavp(
        file,
        (e, engine, sealed) ->
            open(
                engine,
                e.bytes("Key"),
                e.bytes("IV"),
                e.bytes("AAD"),
                sealed,
                e.fail() ? null : e.bytes("PT")));
  }

  /** One CAVP entry's check, given its {@code CT || Tag}. */
  private interface CavpCheck {
    Outcome apply(Entry entry, AeadEngine engine, byte[] sealed);
  }

  /**
   * {@code aes_gcm_test.json}: a valid case must seal and open to exactly the vector's bytes; an
   * invalid one (a forged tag, at these sizes) must fail authentication and must not seal to the
   * vector's bytes.
   */
  static VectorSuite wycheproof(WycheproofFile file) {
    List<VectorCase> cases =
        file.cases().stream()
            .map(c -> new VectorCase(c.id(), engine -> wycheproofCase(c, engine)))
            .toList();
    return new VectorSuite(file.name() + " (shipped Aead)", file.declaredCount(), cases);
  }

  private static Outcome wycheproofCase(Case c, AeadEngine engine) {
    byte[] key = c.bytes("key");
    byte[] iv = c.bytes("iv");
    byte[] tag = c.bytes("tag");
    if (!shippedSizes(key, iv, tag)) {
      return Outcome.skip(OTHER_SIZES);
    }
    byte[] sealed = WycheproofSuites.concat(c.bytes("ct"), tag);
    byte[] aad = c.bytes("aad");
    byte[] msg = c.bytes("msg");
    return switch (c.result()) {
      case VALID ->
          Outcome.all(
              seal(engine, key, iv, aad, msg, sealed), open(engine, key, iv, aad, sealed, msg));
      case INVALID ->
          Outcome.all(
              open(engine, key, iv, aad, sealed, null),
              Attempt.of(() -> sealArray(engine, key, iv, aad, msg))
                  .mustNotReturn("encrypt", sealed, Optional.empty()));
      case ACCEPTABLE -> Outcome.fail("no acceptable AES-GCM case at these sizes was reviewed");
    };
  }

  private static boolean shippedSizes(byte[] key, byte[] iv, byte[] tag) {
    return key.length == KEY_BYTES && iv.length == NONCE_BYTES && tag.length == TAG_BYTES;
  }

  private static Outcome seal(
      AeadEngine engine, byte[] key, byte[] iv, byte[] aad, byte[] plaintext, byte[] expected) {
    return Outcome.all(
        Attempt.of(() -> sealArray(engine, key, iv, aad, plaintext))
            .mustReturn("encrypt (byte[])", expected, Optional.empty()),
        Attempt.of(() -> sealDirect(engine, key, iv, aad, plaintext))
            .mustReturn("encrypt (direct buffer)", expected, Optional.empty()));
  }

  /** Opens {@code sealed}; {@code expected} null means it must fail authentication. */
  private static Outcome open(
      AeadEngine engine, byte[] key, byte[] iv, byte[] aad, byte[] sealed, byte[] expected) {
    Attempt array = Attempt.of(() -> openArray(engine, key, iv, aad, sealed));
    Attempt direct = Attempt.of(() -> openDirect(engine, key, iv, aad, sealed));
    return expected == null
        ? Outcome.all(
            array.mustFailAuthentication("decrypt (byte[])", Optional.empty()),
            direct.mustFailAuthentication("decrypt (direct buffer)", Optional.empty()))
        : Outcome.all(
            array.mustReturn("decrypt (byte[])", expected, Optional.empty()),
            direct.mustReturn("decrypt (direct buffer)", expected, Optional.empty()));
  }

  /**
   * Seals on a thread of its own: the JCA engines keep a {@code Cipher} per thread, and the JDK's
   * and ACCP's refuse to encrypt twice in a row under one key and nonce, as vectors sharing a key
   * and IV (and the array and buffer runs of one vector) ask them to.
   */
  private static byte[] sealArray(
      AeadEngine engine, byte[] key, byte[] iv, byte[] aad, byte[] plaintext) {
    return onFreshThread(() -> sealArrayHere(engine, key, iv, aad, plaintext));
  }

  private static byte[] sealArrayHere(
      AeadEngine engine, byte[] key, byte[] iv, byte[] aad, byte[] plaintext) {
    try (InsecureNonceAead aead = engine.newInsecureNonceAead(key)) {
      byte[] out = new byte[plaintext.length + TAG_BYTES];
      int written = aead.encrypt(iv, plaintext, 0, plaintext.length, aad, out, 0);
      return written == out.length ? out : Arrays.copyOf(out, written);
    }
  }

  private static byte[] openArray(
      AeadEngine engine, byte[] key, byte[] iv, byte[] aad, byte[] sealed) {
    try (InsecureNonceAead aead = engine.newInsecureNonceAead(key)) {
      byte[] out = new byte[Math.max(0, sealed.length - TAG_BYTES)];
      int written = aead.decrypt(iv, sealed, 0, sealed.length, aad, out, 0);
      return written == out.length ? out : Arrays.copyOf(out, written);
    }
  }

  /** Seals on a thread of its own, as {@link #sealArray} does. */
  private static byte[] sealDirect(
      AeadEngine engine, byte[] key, byte[] iv, byte[] aad, byte[] plaintext) {
    return onFreshThread(() -> sealDirectHere(engine, key, iv, aad, plaintext));
  }

  private static byte[] sealDirectHere(
      AeadEngine engine, byte[] key, byte[] iv, byte[] aad, byte[] plaintext) {
    try (InsecureNonceAead aead = engine.newInsecureNonceAead(key)) {
      ByteBuffer in = ByteBuffer.allocateDirect(plaintext.length).put(plaintext).flip();
      ByteBuffer out = ByteBuffer.allocateDirect(plaintext.length + TAG_BYTES);
      aead.encrypt(iv, in, aad, out);
      return bytes(out.flip());
    }
  }

  private static byte[] openDirect(
      AeadEngine engine, byte[] key, byte[] iv, byte[] aad, byte[] sealed) {
    try (InsecureNonceAead aead = engine.newInsecureNonceAead(key)) {
      ByteBuffer in = ByteBuffer.allocateDirect(sealed.length).put(sealed).flip();
      ByteBuffer out = ByteBuffer.allocateDirect(Math.max(0, sealed.length - TAG_BYTES));
      aead.decrypt(iv, in, aad, out);
      return bytes(out.flip());
    }
  }

  private static byte[] onFreshThread(Supplier<byte[]> operation) {
    AtomicReference<byte[]> result = new AtomicReference<>();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Thread thread =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    result.set(operation.get());
                  } catch (RuntimeException e) {
                    failure.set(e);
                  }
                });
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sealing", e);
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return result.get();
  }

  private static byte[] bytes(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }

  /** The entries at the shipped sizes run {@code check}; the others are skipped, counted. */
  private static VectorSuite cavp(CavpFile file, CavpCheck check) {
    List<VectorCase> cases =
        file.entries().stream()
            .map(
                e ->
                    new VectorCase(
                        e.id(),
                        engine ->
                            shippedSizes(e.bytes("Key"), e.bytes("IV"), e.bytes("Tag"))
                                ? check.apply(
                                    e,
                                    engine,
                                    WycheproofSuites.concat(e.bytes("CT"), e.bytes("Tag")))
                                : Outcome.skip(OTHER_SIZES)))
            .toList();
    return new VectorSuite(file.name() + " (shipped Aead)", file.declaredCount(), cases);
  }
}
