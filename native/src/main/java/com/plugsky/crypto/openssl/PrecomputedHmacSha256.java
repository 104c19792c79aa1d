package com.plugsky.crypto.openssl;

import com.plugsky.crypto.EngineUnavailableException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * HMAC-SHA256 (RFC 2104) under one key that serves many short messages: the key's inner and outer
 * pad blocks are hashed once, and each MAC resumes from those two SHA-256 chaining states through
 * libcrypto's SHA-256 block function ({@code SHA256_Transform}). A MAC of up to 55 bytes costs two
 * block calls and allocates nothing.
 *
 * <p>Why not the JDK: its {@link MessageDigest} resumes a saved state only by cloning it (about
 * 200 bytes per clone, two per MAC), or hashes both pads again on every MAC (two blocks more).
 *
 * <p>Thread-safe: the states are only read after construction, and each thread hashes in its own
 * scratch arrays, which are cleared after every MAC. Not FIPS-approved code: a FIPS deployment
 * computes its HMACs in its approved module instead.
 */
public final class PrecomputedHmacSha256 implements AutoCloseable {
  /** Bytes in a MAC. */
  public static final int MAC_LENGTH = 32;

  private static final int BLOCK = 64;
  private static final int STATE_WORDS = 8;
  private static final int FIRST_EXPAND_BLOCK = 1;
  private static final int NO_SUFFIX = -1;
  private static final byte[] NO_LABEL = {};
  private static final int[] INITIAL_STATE = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19
  };
  private static final VarHandle BIG_ENDIAN_INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

  // Before the binding: its known-answer test hashes in a scratch.
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private record Binding(MethodHandle blockFunction, Throwable failure) {}

  private static final Binding BINDING = bind();
  private static final MethodHandle SHA256_BLOCK = BINDING.blockFunction();
  private static final Throwable UNAVAILABILITY_CAUSE =
      BINDING.failure() != null ? BINDING.failure() : knownAnswerFailure();

  /** Inner pad state, then outer pad state. */
  private final int[] states = new int[2 * STATE_WORDS];

  private boolean closed;

  private PrecomputedHmacSha256(byte[] key) {
    byte[] blockKey = key.length > BLOCK ? sha256(key) : key;
    Scratch scratch = SCRATCH.get();
    try {
      hashPad(scratch, blockKey, 0x36, 0);
      hashPad(scratch, blockKey, 0x5c, STATE_WORDS);
    } finally {
      scratch.clear();
      if (blockKey != key) {
        Arrays.fill(blockKey, (byte) 0);
      }
    }
  }

  /** Whether libcrypto is loaded, exports the block function and passed the known-answer test. */
  public static boolean isAvailable() {
    return UNAVAILABILITY_CAUSE == null;
  }

  /** Why {@link #isAvailable()} is false, or null when it is true. */
  public static Throwable unavailabilityCause() {
    return UNAVAILABILITY_CAUSE;
  }

  /**
   * The HMAC-SHA256 key {@code key} (any length; a key longer than a block is hashed first, as RFC
   * 2104 says). The caller keeps ownership of {@code key} and may zero it right after.
   *
   * @throws EngineUnavailableException when {@link #isAvailable()} is false, with the cause
   */
  public static PrecomputedHmacSha256 of(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (UNAVAILABILITY_CAUSE != null) {
      throw new EngineUnavailableException(
          "libcrypto's SHA-256 block function is unavailable: " + UNAVAILABILITY_CAUSE.getMessage(),
          UNAVAILABILITY_CAUSE);
    }
    return new PrecomputedHmacSha256(key);
  }

  /** Writes the MAC of {@code message[offset .. offset + length)} at {@code out[outOffset]}. */
  public void mac(byte[] message, int offset, int length, byte[] out, int outOffset) {
    Objects.checkFromIndexSize(offset, length, message.length);
    macOf(NO_LABEL, message, offset, length, NO_SUFFIX, out, outOffset);
  }

  /**
   * Writes the first HKDF-Expand block (RFC 5869, T(1)) with this key as the pseudorandom key and
   * {@code label || data[offset .. offset + length)} as info: the MAC of that info followed by the
   * byte 01, without assembling it in an array.
   */
  public void expandFirstBlock(
      byte[] label, byte[] data, int offset, int length, byte[] out, int outOffset) {
    Objects.requireNonNull(label, "label");
    Objects.checkFromIndexSize(offset, length, data.length);
    macOf(label, data, offset, length, FIRST_EXPAND_BLOCK, out, outOffset);
  }

  /** The MAC of {@code label || data[offset ..] || suffix}, the suffix byte left out when negative. */
  private void macOf(
      byte[] label, byte[] data, int offset, int length, int suffix, byte[] out, int outOffset) {
    Objects.checkFromIndexSize(outOffset, MAC_LENGTH, out.length);
    checkOpen();
    Scratch scratch = SCRATCH.get();
    try {
      scratch.start(states, 0);
      scratch.absorb(label, 0, label.length);
      scratch.absorb(data, offset, length);
      if (suffix >= 0) {
        scratch.absorb((byte) suffix);
      }
      finish(scratch, out, outOffset);
    } finally {
      scratch.clear();
    }
  }

  /** Zeroes the pad states; the key serves no MAC after this. */
  @Override
  public void close() {
    closed = true;
    Arrays.fill(states, 0);
  }

  /** The inner hash lands where the MAC goes and the outer hash reads it from there. */
  private void finish(Scratch scratch, byte[] out, int outOffset) {
    scratch.finish(out, outOffset);
    scratch.start(states, STATE_WORDS);
    scratch.absorb(out, outOffset, MAC_LENGTH);
    scratch.finish(out, outOffset);
  }

  private void hashPad(Scratch scratch, byte[] key, int xor, int stateOffset) {
    System.arraycopy(INITIAL_STATE, 0, scratch.state, 0, STATE_WORDS);
    for (int i = 0; i < key.length; i++) {
      scratch.block[i] = (byte) (key[i] ^ xor);
    }
    Arrays.fill(scratch.block, key.length, BLOCK, (byte) xor);
    scratch.compress();
    System.arraycopy(scratch.state, 0, states, stateOffset, STATE_WORDS);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this HMAC key is closed");
    }
  }

  /**
   * One thread's SHA-256 in progress: the chaining state, the block being filled, and heap
   * segments over both made once, so that a block call allocates nothing.
   */
  private static final class Scratch {
    /** Sized as OpenSSL's SHA256_CTX (112 bytes); the block function uses its first 8 words. */
    final int[] state = new int[28];

    final byte[] block = new byte[BLOCK];
    final MemorySegment stateSegment = MemorySegment.ofArray(state);
    final MemorySegment blockSegment = MemorySegment.ofArray(block);
    int filled;

    /** Bytes hashed so far, the pad block included. */
    long hashed;

    void start(int[] from, int offset) {
      System.arraycopy(from, offset, state, 0, STATE_WORDS);
      filled = 0;
      hashed = BLOCK;
    }

    void absorb(byte[] input, int offset, int length) {
      hashed += length;
      while (length > 0) {
        int taken = Math.min(length, BLOCK - filled);
        System.arraycopy(input, offset, block, filled, taken);
        filled += taken;
        offset += taken;
        length -= taken;
        if (filled == BLOCK) {
          compress();
          filled = 0;
        }
      }
    }

    void absorb(byte value) {
      hashed++;
      block[filled++] = value;
      if (filled == BLOCK) {
        compress();
        filled = 0;
      }
    }

    /** SHA-256's padding (FIPS 180-4, 5.1.1), then the digest at {@code out[outOffset]}. */
    void finish(byte[] out, int outOffset) {
      block[filled++] = (byte) 0x80;
      if (filled > BLOCK - Long.BYTES) {
        Arrays.fill(block, filled, BLOCK, (byte) 0);
        compress();
        filled = 0;
      }
      Arrays.fill(block, filled, BLOCK - Long.BYTES, (byte) 0);
      long bits = hashed * 8;
      for (int i = 0; i < Long.BYTES; i++) {
        block[BLOCK - 1 - i] = (byte) (bits >>> (8 * i));
      }
      compress();
      for (int i = 0; i < STATE_WORDS; i++) {
        BIG_ENDIAN_INT.set(out, outOffset + 4 * i, state[i]);
      }
    }

    void compress() {
      try {
        SHA256_BLOCK.invokeExact(stateSegment, blockSegment);
      } catch (Throwable e) {
        throw LibCrypto.rethrow(e);
      }
    }

    void clear() {
      Arrays.fill(state, 0, STATE_WORDS, 0);
      Arrays.fill(block, (byte) 0);
      filled = 0;
    }
  }

  private static Binding bind() {
    try {
      LibCrypto lib = LibCrypto.loaded();
      if (lib.sha256Block == null) {
        return new Binding(
            null,
            new UnsupportedOperationException(lib.libraryName + " does not export SHA256_Transform"));
      }
      return new Binding(lib.sha256Block, null);
    } catch (RuntimeException | LinkageError e) {
      return new Binding(null, e);
    }
  }

  /** RFC 4231, test case 2: a library whose block function answers otherwise is not used. */
  private static Throwable knownAnswerFailure() {
    byte[] key = "Jefe".getBytes(StandardCharsets.US_ASCII);
    byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
    byte[] expected =
        HexFormat.of()
            .parseHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    byte[] mac = new byte[MAC_LENGTH];
    try (PrecomputedHmacSha256 hmac = new PrecomputedHmacSha256(key)) {
      hmac.mac(data, 0, data.length, mac, 0);
    } catch (RuntimeException | LinkageError e) {
      return e;
    }
    return Arrays.equals(mac, expected)
        ? null
        : new IllegalStateException(
            "libcrypto's SHA256_Transform failed the RFC 4231 HMAC-SHA256 known-answer test");
  }

  private static byte[] sha256(byte[] key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
