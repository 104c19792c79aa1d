package com.plugsky.crypto.envelope;

import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) under one key, for the many messages under one data key, writing each
 * 32-byte MAC into the caller's array. Three ways to hold the key:
 *
 * <ul>
 *   <li>{@link #of} with {@code heldPads}: as its inner and outer pad blocks; each MAC runs on the
 *       calling thread's own SHA-256 instance, hashing both pads again (two SHA-256 compressions,
 *       about 60 ns each here with SHA-NI), with nothing allocated.
 *   <li>{@link #withHeldStates}: as two SHA-256 states that have already absorbed the pads; each
 *       MAC clones them, so it costs two compressions fewer (a one-block MAC about 165 ns instead
 *       of 240 ns here) for about 400 bytes of short-lived clones. For the one MAC a message
 *       needs per data key use (suite 3's payload key).
 *   <li>{@link #of} without {@code heldPads}: every MAC goes through the engine's own HMAC, for a
 *       FIPS-approved engine, whose module must compute every HMAC itself.
 * </ul>
 *
 * <p>{@link #close()} zeroes the pads, the states or the key.
 */
abstract sealed class KeyedHmac implements AutoCloseable {
  static final int LENGTH = 32;
  private static final int BLOCK = 64;

  /** Writes the MAC of {@code length} bytes of {@code message} at {@code out[outOffset]}. */
  abstract void mac(byte[] message, int offset, int length, byte[] out, int outOffset);

  @Override
  public abstract void close();

  /** Takes ownership of {@code key} (32 bytes, at most one SHA-256 block). */
  static KeyedHmac of(byte[] key, SymmetricPrimitives primitives, boolean heldPads) {
    return heldPads ? new HeldPads(key) : new ThroughEngine(key, primitives);
  }

  /** Takes ownership of {@code key} (32 bytes, at most one SHA-256 block). */
  static KeyedHmac withHeldStates(byte[] key) {
    return new HeldStates(key);
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
        // The inner hash lands where the MAC goes and is hashed from there: no scratch array.
        sha256.digest(out, outOffset, LENGTH);
        sha256.update(outerPad);
        sha256.update(out, outOffset, LENGTH);
        sha256.digest(out, outOffset, LENGTH);
      } catch (DigestException e) {
        sha256.reset();
        throw new IllegalArgumentException("no room for a MAC at offset " + outOffset, e);
      }
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
    private final MessageDigest inner = sha256();
    private final MessageDigest outer = sha256();

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
      if (out.length - outOffset < LENGTH || outOffset < 0) {
        throw new IllegalArgumentException("no room for a MAC at offset " + outOffset);
      }
      try {
        MessageDigest innerHash = (MessageDigest) inner.clone();
        innerHash.update(message, offset, length);
        innerHash.digest(out, outOffset, LENGTH);
        MessageDigest outerHash = (MessageDigest) outer.clone();
        outerHash.update(out, outOffset, LENGTH);
        outerHash.digest(out, outOffset, LENGTH);
      } catch (CloneNotSupportedException | DigestException e) {
        throw new IllegalStateException("the JDK's SHA-256 clones and has room checked", e);
      }
    }

    /** Resetting overwrites each state with SHA-256's initial value and zeroes its buffer. */
    @Override
    public void close() {
      inner.reset();
      outer.reset();
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
    public void close() {
      Arrays.fill(key, (byte) 0);
    }
  }
}
