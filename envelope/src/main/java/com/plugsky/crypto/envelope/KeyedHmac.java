package com.plugsky.crypto.envelope;

import com.plugsky.crypto.openssl.PrecomputedHmacSha256;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) under one key, for the many messages under one data key, writing each
 * 32-byte MAC into the caller's array, in one of the four {@link Form}s. {@link #close()} zeroes
 * the pads, the states or the key.
 */
abstract sealed class KeyedHmac implements AutoCloseable {
  static final int LENGTH = 32;
  private static final int BLOCK = 64;

  /** Writes the MAC of {@code length} bytes of {@code message} at {@code out[outOffset]}. */
  abstract void mac(byte[] message, int offset, int length, byte[] out, int outOffset);

  /**
   * Writes the first HKDF-Expand block (RFC 5869) under this key as PRK, with info {@code label ||
   * data[offset .. offset + length)}: the MAC of {@code label || data || 01}, without assembling
   * that input in an array.
   */
  abstract void expand(byte[] label, byte[] data, int offset, int length, byte[] out, int outOffset);

  private static final byte FIRST_BLOCK = 1;

  @Override
  public abstract void close();

  /** How the key is held, and so what a MAC costs. */
  enum Form {
    /**
     * Every MAC goes through the engine's own HMAC: for a FIPS-approved engine, whose module must
     * compute every HMAC itself.
     */
    THROUGH_ENGINE,
    /**
     * The key's inner and outer pad blocks; each MAC runs on the calling thread's own SHA-256
     * instance and hashes both pads again (two SHA-256 compressions, about 60 ns each here with
     * SHA-NI), allocating nothing. For a key that serves one or two MACs.
     */
    HELD_PADS,
    /**
     * Two SHA-256 states that have absorbed the pads; each MAC clones them, so it costs two
     * compressions fewer (a one-block MAC about 165 ns instead of 240 ns here) for about 400
     * bytes of short-lived clones, and setting the key up costs two clones more. For a key that
     * serves many MACs (a cached data key's).
     */
    HELD_STATES,
    /**
     * The pad states held as words and resumed through libcrypto's SHA-256 block function (the
     * native module's {@code PrecomputedHmacSha256}): two compressions per one-block MAC like
     * {@link #HELD_STATES}, without clones, so nothing allocated, and about 110 ns instead of 150
     * here. Chosen whenever the native module is on the class path and libcrypto has the block
     * function.
     */
    NATIVE_STATES;

    private static final boolean NATIVE_AVAILABLE = nativeAvailable();

    /**
     * The form for keys outside a FIPS-approved engine: native states when available, else held
     * states for a key that serves many MACs and held pads for one that serves one or two.
     */
    static Form unapproved(boolean manyMacsPerKey) {
      if (NATIVE_AVAILABLE) {
        return NATIVE_STATES;
      }
      return manyMacsPerKey ? HELD_STATES : HELD_PADS;
    }

    private static boolean nativeAvailable() {
      try {
        return NativeStates.available();
      } catch (LinkageError absent) {
        return false;
      }
    }
  }

  /** Takes ownership of {@code key} (32 bytes, at most one SHA-256 block). */
  static KeyedHmac of(byte[] key, SymmetricPrimitives primitives, Form form) {
    return switch (form) {
      case THROUGH_ENGINE -> new ThroughEngine(key, primitives);
      case HELD_PADS -> new HeldPads(key);
      case HELD_STATES -> new HeldStates(key);
      case NATIVE_STATES -> new NativeStates(key);
    };
  }

  /** Refuses, before any hashing, an output array with no room for a MAC at {@code outOffset}. */
  private static void checkRoom(byte[] out, int outOffset) {
    if (out.length - outOffset < LENGTH || outOffset < 0) {
      throw new IllegalArgumentException("no room for a MAC at offset " + outOffset);
    }
  }

  private static byte[] pad(byte[] key, int xor) {
    byte[] pad = new byte[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
      pad[i] = (byte) ((i < key.length ? key[i] : 0) ^ xor);
    }
    return pad;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static final class HeldPads extends KeyedHmac {
    private static final ThreadLocal<MessageDigest> SHA256 =
        ThreadLocal.withInitial(KeyedHmac::sha256);

    private final byte[] innerPad;
    private final byte[] outerPad;

    HeldPads(byte[] key) {
      innerPad = pad(key, 0x36);
      outerPad = pad(key, 0x5c);
      Arrays.fill(key, (byte) 0);
    }

    @Override
    void mac(byte[] message, int offset, int length, byte[] out, int outOffset) {
      MessageDigest sha256 = SHA256.get();
      try {
        sha256.update(innerPad);
        sha256.update(message, offset, length);
        finish(sha256, out, outOffset);
      } catch (DigestException e) {
        sha256.reset();
        throw new IllegalArgumentException("no room for a MAC at offset " + outOffset, e);
      }
    }

    @Override
    void expand(byte[] label, byte[] data, int offset, int length, byte[] out, int outOffset) {
      MessageDigest sha256 = SHA256.get();
      try {
        sha256.update(innerPad);
        sha256.update(label);
        sha256.update(data, offset, length);
        sha256.update(FIRST_BLOCK);
        finish(sha256, out, outOffset);
      } catch (DigestException e) {
        sha256.reset();
        throw new IllegalArgumentException("no room for a MAC at offset " + outOffset, e);
      }
    }

    /** The inner hash lands where the MAC goes and is hashed from there: no scratch array. */
    private void finish(MessageDigest sha256, byte[] out, int outOffset) throws DigestException {
      sha256.digest(out, outOffset, LENGTH);
      sha256.update(outerPad);
      sha256.update(out, outOffset, LENGTH);
      sha256.digest(out, outOffset, LENGTH);
    }

    @Override
    public void close() {
      Arrays.fill(innerPad, (byte) 0);
      Arrays.fill(outerPad, (byte) 0);
    }
  }

  /**
   * The two pad states, never updated after construction: threads only clone them, which reads
   * them, so one instance serves every thread.
   */
  private static final class HeldStates extends KeyedHmac {
    /**
     * An unused SHA-256 to clone: {@link MessageDigest#getInstance} looks the provider up and
     * allocates about 1.5 KB, a clone about 200 bytes, which counts when a data key serves one
     * message.
     */
    private static final MessageDigest UNUSED = sha256();

    private final MessageDigest inner = copy(UNUSED);
    private final MessageDigest outer = copy(UNUSED);

    HeldStates(byte[] key) {
      byte[] innerPad = pad(key, 0x36);
      byte[] outerPad = pad(key, 0x5c);
      inner.update(innerPad);
      outer.update(outerPad);
      Arrays.fill(innerPad, (byte) 0);
      Arrays.fill(outerPad, (byte) 0);
      Arrays.fill(key, (byte) 0);
    }

    @Override
    void mac(byte[] message, int offset, int length, byte[] out, int outOffset) {
      checkRoom(out, outOffset);
      MessageDigest innerHash = copy(inner);
      innerHash.update(message, offset, length);
      finish(innerHash, out, outOffset);
    }

    @Override
    void expand(byte[] label, byte[] data, int offset, int length, byte[] out, int outOffset) {
      checkRoom(out, outOffset);
      MessageDigest innerHash = copy(inner);
      innerHash.update(label);
      innerHash.update(data, offset, length);
      innerHash.update(FIRST_BLOCK);
      finish(innerHash, out, outOffset);
    }

    private void finish(MessageDigest innerHash, byte[] out, int outOffset) {
      try {
        innerHash.digest(out, outOffset, LENGTH);
        MessageDigest outerHash = copy(outer);
        outerHash.update(out, outOffset, LENGTH);
        outerHash.digest(out, outOffset, LENGTH);
      } catch (DigestException e) {
        throw new IllegalStateException("room for the MAC was checked", e);
      }
    }

    private static MessageDigest copy(MessageDigest digest) {
      try {
        return (MessageDigest) digest.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
      }
    }

    /** Resetting overwrites each state with SHA-256's initial value and zeroes its buffer. */
    @Override
    public void close() {
      inner.reset();
      outer.reset();
    }
  }

  /** Loaded only when the native module is on the class path. */
  private static final class NativeStates extends KeyedHmac {
    private final PrecomputedHmacSha256 hmac;

    NativeStates(byte[] key) {
      try {
        hmac = PrecomputedHmacSha256.of(key);
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    }

    static boolean available() {
      return PrecomputedHmacSha256.isAvailable();
    }

    @Override
    void mac(byte[] message, int offset, int length, byte[] out, int outOffset) {
      checkRoom(out, outOffset);
      hmac.mac(message, offset, length, out, outOffset);
    }

    @Override
    void expand(byte[] label, byte[] data, int offset, int length, byte[] out, int outOffset) {
      checkRoom(out, outOffset);
      hmac.expandFirstBlock(label, data, offset, length, out, outOffset);
    }

    @Override
    public void close() {
      hmac.close();
    }
  }

  private static final class ThroughEngine extends KeyedHmac {
    private final byte[] key;
    private final SymmetricPrimitives primitives;

    ThroughEngine(byte[] key, SymmetricPrimitives primitives) {
      this.key = key;
      this.primitives = primitives;
    }

    @Override
    void mac(byte[] message, int offset, int length, byte[] out, int outOffset) {
      byte[] mac = primitives.hmacSha256(key, Arrays.copyOfRange(message, offset, offset + length));
      System.arraycopy(mac, 0, out, outOffset, LENGTH);
    }

    @Override
    void expand(byte[] label, byte[] data, int offset, int length, byte[] out, int outOffset) {
      byte[] info = new byte[label.length + length + 1];
      System.arraycopy(label, 0, info, 0, label.length);
      System.arraycopy(data, offset, info, label.length, length);
      info[info.length - 1] = FIRST_BLOCK;
      mac(info, 0, info.length, out, outOffset);
    }

    @Override
    public void close() {
      Arrays.fill(key, (byte) 0);
    }
  }
}
