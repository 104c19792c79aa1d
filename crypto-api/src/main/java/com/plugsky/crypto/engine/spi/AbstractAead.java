package com.plugsky.crypto.engine.spi;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.AEADBadTagException;

/**
 * Everything an {@link Aead} does besides the cipher itself, so that each engine only seals and
 * opens: argument checks, nonce generation, the {@code nonce || ciphertext || tag} layout,
 * overlapping buffers, the closed state, and zeroing the output when a tag fails.
 *
 * <p>Engines implement the four {@code seal}/{@code open} methods over the ciphertext body
 * ({@code ciphertext || tag}, without the nonce) and {@link #destroyKey()}.
 */
public abstract class AbstractAead implements Aead {
  private static final ThreadLocal<byte[]> NONCE_SCRATCH =
      ThreadLocal.withInitial(() -> new byte[NONCE_LENGTH]);

  private final String engineName;
  private volatile boolean closed;

  protected AbstractAead(String engineName) {
    this.engineName = engineName;
  }

  /**
   * Encrypts into {@code out} as {@code ciphertext || tag}. {@code nonce} holds a fresh random
   * nonce; an engine whose module must generate nonces itself (FIPS approved mode) overwrites it
   * with the one it used.
   *
   * @return bytes written ({@code length + TAG_LENGTH})
   */
  protected abstract int seal(
      byte[] nonce, byte[] associatedData, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws GeneralSecurityException;

  /**
   * Decrypts {@code ciphertext || tag}.
   *
   * @throws AEADBadTagException when the tag does not verify
   */
  protected abstract int open(
      byte[] nonce, byte[] associatedData, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws GeneralSecurityException;

  /** {@link #seal(byte[], byte[], byte[], int, int, byte[], int)} over buffers, advancing both. */
  protected abstract int seal(byte[] nonce, byte[] associatedData, ByteBuffer in, ByteBuffer out)
      throws GeneralSecurityException;

  /** {@link #open(byte[], byte[], byte[], int, int, byte[], int)} over buffers, advancing both. */
  protected abstract int open(byte[] nonce, byte[] associatedData, ByteBuffer in, ByteBuffer out)
      throws GeneralSecurityException;

  /** Wipes the key and any key schedule this object owns. Called once. */
  protected abstract void destroyKey();

  @Override
  public final String engineName() {
    return engineName;
  }

  @Override
  public final byte[] encrypt(byte[] plaintext, byte[] associatedData) {
    Objects.requireNonNull(plaintext, "plaintext");
    byte[] out = new byte[checkedSealedLength(plaintext.length)];
    encrypt(plaintext, 0, plaintext.length, associatedData, out, 0);
    return out;
  }

  @Override
  public final byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    byte[] out = new byte[openedLength(ciphertext.length)];
    decrypt(ciphertext, 0, ciphertext.length, associatedData, out, 0);
    return out;
  }

  @Override
  public final int encrypt(
      byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset) {
    checkOpen();
    checkRange(input, offset, length, "input");
    Objects.requireNonNull(associatedData, "associatedData (use an empty array for none)");
    int sealedLength = checkedSealedLength(length);
    checkRange(output, outputOffset, sealedLength, "output");

    byte[] source = input;
    int sourceOffset = offset;
    if (input == output
        && overlaps(offset, length, outputOffset, sealedLength)
        && offset != outputOffset + NONCE_LENGTH) {
      source = Arrays.copyOfRange(input, offset, offset + length);
      sourceOffset = 0;
    }
    byte[] nonce = NONCE_SCRATCH.get();
    CryptoRandom.nextBytes(nonce);
    try {
      int written = seal(nonce, associatedData, source, sourceOffset, length, output, outputOffset + NONCE_LENGTH);
      System.arraycopy(nonce, 0, output, outputOffset, NONCE_LENGTH);
      return NONCE_LENGTH + written;
    } catch (GeneralSecurityException e) {
      throw engineFailure("encrypt", e);
    }
  }

  @Override
  public final int decrypt(
      byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset) {
    checkOpen();
    checkRange(input, offset, length, "input");
    Objects.requireNonNull(associatedData, "associatedData (use an empty array for none)");
    int plaintextLength = openedLength(length);
    checkRange(output, outputOffset, plaintextLength, "output");

    byte[] nonce = NONCE_SCRATCH.get();
    System.arraycopy(input, offset, nonce, 0, NONCE_LENGTH);
    byte[] body = input;
    int bodyOffset = offset + NONCE_LENGTH;
    int bodyLength = length - NONCE_LENGTH;
    if (input == output
        && overlaps(bodyOffset, bodyLength, outputOffset, plaintextLength)
        && bodyOffset != outputOffset) {
      body = Arrays.copyOfRange(input, bodyOffset, bodyOffset + bodyLength);
      bodyOffset = 0;
    }
    try {
      return open(nonce, associatedData, body, bodyOffset, bodyLength, output, outputOffset);
    } catch (AEADBadTagException e) {
      Arrays.fill(output, outputOffset, outputOffset + plaintextLength, (byte) 0);
      throw tagMismatch(e);
    } catch (GeneralSecurityException e) {
      Arrays.fill(output, outputOffset, outputOffset + plaintextLength, (byte) 0);
      throw engineFailure("decrypt", e);
    }
  }

  @Override
  public final int encrypt(ByteBuffer plaintext, byte[] associatedData, ByteBuffer output) {
    checkOpen();
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(associatedData, "associatedData (use an empty array for none)");
    checkWritable(output);
    int length = plaintext.remaining();
    int sealedLength = checkedSealedLength(length);
    if (output.remaining() < sealedLength) {
      throw new InvalidInputException(
          "output buffer has " + output.remaining() + " bytes left; encrypting " + length
              + " bytes needs " + sealedLength);
    }
    int outputStart = output.position();
    ByteBuffer source = plaintext;
    MemorySegment sealedRegion = MemorySegment.ofBuffer(output).asSlice(0, sealedLength);
    if (overlapsOtherThanAt(sealedRegion, plaintext, NONCE_LENGTH)) {
      source = copyRemaining(plaintext);
    }
    byte[] nonce = NONCE_SCRATCH.get();
    CryptoRandom.nextBytes(nonce);
    output.position(outputStart + NONCE_LENGTH);
    try {
      int written = seal(nonce, associatedData, source, output);
      output.put(outputStart, nonce);
      plaintext.position(plaintext.limit());
      return NONCE_LENGTH + written;
    } catch (GeneralSecurityException e) {
      output.position(outputStart);
      throw engineFailure("encrypt", e);
    }
  }

  @Override
  public final int decrypt(ByteBuffer ciphertext, byte[] associatedData, ByteBuffer output) {
    checkOpen();
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(associatedData, "associatedData (use an empty array for none)");
    checkWritable(output);
    int inputStart = ciphertext.position();
    int plaintextLength = openedLength(ciphertext.remaining());
    if (output.remaining() < plaintextLength) {
      throw new InvalidInputException(
          "output buffer has " + output.remaining() + " bytes left; the plaintext needs " + plaintextLength);
    }
    int outputStart = output.position();
    byte[] nonce = NONCE_SCRATCH.get();
    ciphertext.get(nonce);
    ByteBuffer body = ciphertext;
    MemorySegment plaintextRegion = MemorySegment.ofBuffer(output).asSlice(0, plaintextLength);
    if (overlapsOtherThanAt(plaintextRegion, ciphertext, 0)) {
      body = copyRemaining(ciphertext);
    }
    try {
      int written = open(nonce, associatedData, body, output);
      ciphertext.position(ciphertext.limit());
      return written;
    } catch (GeneralSecurityException e) {
      plaintextRegion.fill((byte) 0);
      output.position(outputStart);
      ciphertext.position(inputStart);
      throw e instanceof AEADBadTagException ? tagMismatch(e) : engineFailure("decrypt", e);
    }
  }

  @Override
  public final void close() {
    if (!closed) {
      synchronized (this) {
        if (!closed) {
          closed = true;
          destroyKey();
        }
      }
    }
  }

  @Override
  public String toString() {
    return "Aead[AES-256-GCM, engine=" + engineName + (closed ? ", closed" : "") + "]";
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this Aead (engine " + engineName + ") is closed; its key was destroyed");
    }
  }

  private static int checkedSealedLength(int plaintextLength) {
    if (plaintextLength > Integer.MAX_VALUE - OVERHEAD) {
      throw new InvalidInputException(
          "plaintext of " + plaintextLength + " bytes is too long for one AES-GCM message in a Java array");
    }
    return plaintextLength + OVERHEAD;
  }

  private static int openedLength(int ciphertextLength) {
    if (ciphertextLength < OVERHEAD) {
      throw new MalformedCiphertextException(
          "ciphertext of " + ciphertextLength + " bytes is shorter than the " + OVERHEAD
              + " bytes of nonce and tag every AES-GCM message carries");
    }
    return ciphertextLength - OVERHEAD;
  }

  private static void checkRange(byte[] array, int offset, int length, String what) {
    Objects.requireNonNull(array, what);
    if (offset < 0 || length < 0 || offset > array.length - length) {
      throw new InvalidInputException(
          what + " range [offset " + offset + ", length " + length + "] does not fit an array of "
              + array.length + " bytes");
    }
  }

  private static void checkWritable(ByteBuffer output) {
    Objects.requireNonNull(output, "output");
    if (output.isReadOnly()) {
      throw new InvalidInputException("output buffer is read-only");
    }
  }

  private static boolean overlaps(int aOffset, int aLength, int bOffset, int bLength) {
    return aOffset < bOffset + bLength && bOffset < aOffset + aLength;
  }

  /** True when {@code input} shares memory with {@code region} but does not start {@code at} bytes into it. */
  private static boolean overlapsOtherThanAt(MemorySegment region, ByteBuffer input, long at) {
    MemorySegment source = MemorySegment.ofBuffer(input);
    if (region.asOverlappingSlice(source).isEmpty()) {
      return false;
    }
    // Overlap implies the same array or the same native memory, so the addresses are comparable.
    return source.address() - region.address() != at;
  }

  private static ByteBuffer copyRemaining(ByteBuffer buffer) {
    ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
    copy.put(buffer.duplicate()).flip();
    return copy;
  }

  private AuthenticationFailedException tagMismatch(Exception cause) {
    return new AuthenticationFailedException(
        "AES-GCM tag mismatch (engine " + engineName
            + "): wrong key, wrong associated data, or a modified ciphertext",
        cause);
  }

  private IllegalStateException engineFailure(String operation, GeneralSecurityException cause) {
    return new IllegalStateException(
        "AES-GCM " + operation + " failed inside engine " + engineName + ": " + cause.getClass().getSimpleName(),
        cause);
  }
}
