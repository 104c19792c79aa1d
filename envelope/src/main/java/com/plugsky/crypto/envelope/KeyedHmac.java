package com.plugsky.crypto.envelope;

import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * HMAC-SHA256 (RFC 2104) under one key, for the many messages under one cached data key.
 *
 * <p>With {@code precomputePads}, the key's inner and outer pad blocks are hashed once and each MAC
 * clones those two SHA-256 states: a MAC of an n-block message costs n + 1 compression calls
 * instead of n + 3, with no per-call key set-up. The pad states are never modified after
 * construction, so concurrent clones are safe. Without it (a key used for one message, or a
 * FIPS-approved engine, where a MAC assembled here from a hash would not be the validated module's)
 * every MAC goes through the engine's own HMAC.
 *
 * <p>{@link #close()} resets the pad states (which are as secret as the key) and zeroes the key.
 */
abstract sealed class KeyedHmac implements AutoCloseable {
  private static final int BLOCK = 64;

  /** The MAC of {@code message}, 32 bytes. */
  abstract byte[] mac(byte[] message);

  @Override
  public abstract void close();

  /** Takes ownership of {@code key} (32 bytes, at most one SHA-256 block). */
  static KeyedHmac of(byte[] key, SymmetricPrimitives primitives, boolean precomputePads) {
    return precomputePads ? new PadStates(key) : new ThroughEngine(key, primitives);
  }

  private static final class PadStates extends KeyedHmac {
    private static final MessageDigest FRESH_SHA256 = sha256();

    private final MessageDigest inner;
    private final MessageDigest outer;

    PadStates(byte[] key) {
      byte[] ipad = new byte[BLOCK];
      byte[] opad = new byte[BLOCK];
      for (int i = 0; i < BLOCK; i++) {
        int k = i < key.length ? key[i] : 0;
        ipad[i] = (byte) (k ^ 0x36);
        opad[i] = (byte) (k ^ 0x5c);
      }
      Arrays.fill(key, (byte) 0);
      inner = copy(FRESH_SHA256);
      outer = copy(FRESH_SHA256);
      inner.update(ipad);
      outer.update(opad);
      Arrays.fill(ipad, (byte) 0);
      Arrays.fill(opad, (byte) 0);
    }

    @Override
    byte[] mac(byte[] message) {
      MessageDigest in = copy(inner);
      in.update(message);
      MessageDigest out = copy(outer);
      out.update(in.digest());
      return out.digest();
    }

    @Override
    public void close() {
      inner.reset();
      outer.reset();
    }

    private static MessageDigest copy(MessageDigest digest) {
      try {
        return (MessageDigest) digest.clone();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("the JDK's SHA-256 is cloneable", e);
      }
    }

    private static MessageDigest sha256() {
      try {
        return MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JDK has SHA-256", e);
      }
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
    byte[] mac(byte[] message) {
      return primitives.hmacSha256(key, message);
    }

    @Override
    public void close() {
      Arrays.fill(key, (byte) 0);
    }
  }
}
