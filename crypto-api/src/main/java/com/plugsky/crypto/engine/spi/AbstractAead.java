package com.plugsky.crypto.engine.spi;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
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

  /**
   * @param key the key the subclass is about to take; checked here so that every engine rejects a
   *     wrong size the same way
   * @throws InvalidInputException when the key is not {@value #KEY_LENGTH} bytes
   */
  protected AbstractAead(String engineName, byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_LENGTH) {
      throw new InvalidInputException("AES-256-GCM needs a 32-byte key, got " + key.length + " bytes");
    }
    this.engineName = engineName;
  }

  /**
   * Encrypts into {@code out} as {@code ciphertext || tag}. Unless {@code callerNonce}, {@code
   * nonce} holds a fresh random nonce that an engine whose module must generate nonces itself
   * (FIPS approved mode) may overwrite with the one it used; a caller's nonce is used as given.
   *
   * @return bytes written ({@code length + TAG_LENGTH})
   */
  protected abstract int seal(
      byte[] nonce, boolean callerNonce, byte[] associatedData, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws GeneralSecurityException;

  /**
   * Decrypts {@code ciphertext || tag}.
   *
   * @throws AEADBadTagException when the tag does not verify
   */
  protected abstract int open(
      byte[] nonce, byte[] associatedData, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws GeneralSecurityException;

  /** {@link #seal(byte[], boolean, byte[], byte[], int, int, byte[], int)} over buffers, advancing both. */
  protected abstract int seal(byte[] nonce, boolean callerNonce, byte[] associatedData, ByteBuffer in, ByteBuffer out)
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
    checkRange(output, outputOffset, checkedSealedLength(length), "output");
    byte[] nonce = NONCE_SCRATCH.get();
    CryptoRandom.nextNonce(nonce);
    int written = sealArrays(nonce, false, input, offset, length, associatedData, output, outputOffset + NONCE_LENGTH);
    System.arraycopy(nonce, 0, output, outputOffset, NONCE_LENGTH);
    return NONCE_LENGTH + written;
  }

  /** Seals {@code ciphertext || tag} at {@code bodyOffset}; copies the input first if it overlaps the body elsewhere. */
  private int sealArrays(
      byte[] nonce, boolean callerNonce, byte[] input, int offset, int length, byte[] associatedData, byte[] output, int bodyOffset) {
    checkOpen();
    checkRange(input, offset, length, "input");
    Objects.requireNonNull(associatedData, "associatedData (use an empty array for none)");
    int bodyLength = checkedSealedLength(length) - NONCE_LENGTH;
    checkRange(output, bodyOffset, bodyLength, "output");
    byte[] source = input;
    int sourceOffset = offset;
    if (input == output && overlaps(offset, length, bodyOffset, bodyLength) && offset != bodyOffset) {
      source = Arrays.copyOfRange(input, offset, offset + length);
      sourceOffset = 0;
    }
    int written;
    try {
      written = seal(nonce, callerNonce, associatedData, source, sourceOffset, length, output, bodyOffset);
    } catch (GeneralSecurityException e) {
      throw engineFailure("encrypt", e);
    }
    if (closedDuringTheCall()) {
      Arrays.fill(output, bodyOffset, bodyOffset + written, (byte) 0);
      throw closedDuringTheCall("encrypt");
    }
    return written;
  }

  @Override
  public final int decrypt(
      byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset) {
    checkOpen();
    checkRange(input, offset, length, "input");
    openedLength(length);
    byte[] nonce = NONCE_SCRATCH.get();
    System.arraycopy(input, offset, nonce, 0, NONCE_LENGTH);
    return openArrays(nonce, input, offset + NONCE_LENGTH, length - NONCE_LENGTH, associatedData, output, outputOffset);
  }

  /** Opens {@code ciphertext || tag}; zeroes the output when the tag fails. */
  private int openArrays(
      byte[] nonce, byte[] input, int bodyOffset, int bodyLength, byte[] associatedData, byte[] output, int outputOffset) {
    checkOpen();
    checkRange(input, bodyOffset, bodyLength, "input");
    Objects.requireNonNull(associatedData, "associatedData (use an empty array for none)");
    int plaintextLength = openedLength(bodyLength + NONCE_LENGTH);
    checkRange(output, outputOffset, plaintextLength, "output");
    byte[] body = input;
    int sourceOffset = bodyOffset;
    if (input == output
        && overlaps(bodyOffset, bodyLength, outputOffset, plaintextLength)
        && bodyOffset != outputOffset) {
      body = Arrays.copyOfRange(input, bodyOffset, bodyOffset + bodyLength);
      sourceOffset = 0;
    }
    int written;
    try {
      written = open(nonce, associatedData, body, sourceOffset, bodyLength, output, outputOffset);
    } catch (AEADBadTagException e) {
      Arrays.fill(output, outputOffset, outputOffset + plaintextLength, (byte) 0);
      throw tagMismatch(e);
    } catch (GeneralSecurityException e) {
      Arrays.fill(output, outputOffset, outputOffset + plaintextLength, (byte) 0);
      throw engineFailure("decrypt", e);
    }
    if (closedDuringTheCall()) {
      Arrays.fill(output, outputOffset, outputOffset + plaintextLength, (byte) 0);
      throw closedDuringTheCall("decrypt");
    }
    return written;
  }

  @Override
  public final int encrypt(ByteBuffer plaintext, byte[] associatedData, ByteBuffer output) {
    checkOpen();
    Objects.requireNonNull(plaintext, "plaintext");
    checkWritable(output);
    int sealedLength = checkedSealedLength(plaintext.remaining());
    if (output.remaining() < sealedLength) {
      throw new InvalidInputException(
          "output buffer has " + output.remaining() + " bytes left; encrypting " + plaintext.remaining()
              + " bytes needs " + sealedLength);
    }
    int outputStart = output.position();
    byte[] nonce = NONCE_SCRATCH.get();
    CryptoRandom.nextNonce(nonce);
    output.position(outputStart + NONCE_LENGTH);
    try {
      int written = sealBuffers(nonce, false, plaintext, associatedData, output);
      output.put(outputStart, nonce);
      return NONCE_LENGTH + written;
    } catch (RuntimeException e) {
      output.position(outputStart);
      throw e;
    }
  }

  /** Seals {@code ciphertext || tag} at the output's position; copies the input first if it overlaps elsewhere. */
  private int sealBuffers(byte[] nonce, boolean callerNonce, ByteBuffer plaintext, byte[] associatedData, ByteBuffer output) {
    checkOpen();
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(associatedData, "associatedData (use an empty array for none)");
    checkWritable(output);
    int bodyLength = checkedSealedLength(plaintext.remaining()) - NONCE_LENGTH;
    if (output.remaining() < bodyLength) {
      throw new InvalidInputException(
          "output buffer has " + output.remaining() + " bytes left; encrypting " + plaintext.remaining()
              + " bytes needs " + bodyLength);
    }
    int outputStart = output.position();
    int inputStart = plaintext.position();
    ByteBuffer source = plaintext;
    if (overlapsElsewhere(output, bodyLength, plaintext)) {
      source = copyRemaining(plaintext);
    }
    int written;
    try {
      written = seal(nonce, callerNonce, associatedData, source, output);
    } catch (GeneralSecurityException e) {
      output.position(outputStart);
      throw engineFailure("encrypt", e);
    }
    if (closedDuringTheCall()) {
      MemorySegment.ofBuffer(output.position(outputStart)).asSlice(0, written).fill((byte) 0);
      plaintext.position(inputStart);
      throw closedDuringTheCall("encrypt");
    }
    plaintext.position(plaintext.limit());
    return written;
  }

  @Override
  public final int decrypt(ByteBuffer ciphertext, byte[] associatedData, ByteBuffer output) {
    checkOpen();
    Objects.requireNonNull(ciphertext, "ciphertext");
    int inputStart = ciphertext.position();
    openedLength(ciphertext.remaining());
    byte[] nonce = NONCE_SCRATCH.get();
    ciphertext.get(nonce);
    try {
      return openBuffers(nonce, ciphertext, associatedData, output);
    } catch (RuntimeException e) {
      ciphertext.position(inputStart);
      throw e;
    }
  }

  /** Opens {@code ciphertext || tag} from the input's position; zeroes the output when the tag fails. */
  private int openBuffers(byte[] nonce, ByteBuffer ciphertext, byte[] associatedData, ByteBuffer output) {
    checkOpen();
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(associatedData, "associatedData (use an empty array for none)");
    checkWritable(output);
    int inputStart = ciphertext.position();
    int plaintextLength = openedLength(ciphertext.remaining() + NONCE_LENGTH);
    if (output.remaining() < plaintextLength) {
      throw new InvalidInputException(
          "output buffer has " + output.remaining() + " bytes left; the plaintext needs " + plaintextLength);
    }
    int outputStart = output.position();
    ByteBuffer body = ciphertext;
    if (overlapsElsewhere(output, plaintextLength, ciphertext)) {
      body = copyRemaining(ciphertext);
    }
    int written;
    try {
      written = open(nonce, associatedData, body, output);
    } catch (GeneralSecurityException e) {
      MemorySegment.ofBuffer(output.position(outputStart)).asSlice(0, plaintextLength).fill((byte) 0);
      ciphertext.position(inputStart);
      throw e instanceof AEADBadTagException ? tagMismatch(e) : engineFailure("decrypt", e);
    }
    if (closedDuringTheCall()) {
      MemorySegment.ofBuffer(output.position(outputStart)).asSlice(0, plaintextLength).fill((byte) 0);
      ciphertext.position(inputStart);
      throw closedDuringTheCall("decrypt");
    }
    ciphertext.position(ciphertext.limit());
    return written;
  }

  /**
   * This Aead under nonces the caller chooses, sharing its key: see {@link InsecureNonceAead} for
   * why that is dangerous. Closing the view closes this Aead.
   */
  public final InsecureNonceAead insecureNonceView() {
    return new CallerNonceView();
  }

  private final class CallerNonceView implements InsecureNonceAead {
    @Override
    public int encrypt(byte[] nonce, byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset) {
      return sealArrays(checkNonce(nonce), true, input, offset, length, associatedData, output, outputOffset);
    }

    @Override
    public int decrypt(byte[] nonce, byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset) {
      return openArrays(checkNonce(nonce), input, offset, length, associatedData, output, outputOffset);
    }

    @Override
    public int encrypt(byte[] nonce, ByteBuffer plaintext, byte[] associatedData, ByteBuffer output) {
      return sealBuffers(checkNonce(nonce), true, plaintext, associatedData, output);
    }

    @Override
    public int decrypt(byte[] nonce, ByteBuffer ciphertext, byte[] associatedData, ByteBuffer output) {
      return openBuffers(checkNonce(nonce), ciphertext, associatedData, output);
    }

    @Override
    public String engineName() {
      return engineName;
    }

    @Override
    public void close() {
      AbstractAead.this.close();
    }

    @Override
    public String toString() {
      return "InsecureNonceAead[AES-256-GCM, engine=" + engineName + "]";
    }

    private static byte[] checkNonce(byte[] nonce) {
      Objects.requireNonNull(nonce, "nonce");
      if (nonce.length != NONCE_LENGTH) {
        throw new InvalidInputException("AES-GCM nonce must be " + NONCE_LENGTH + " bytes, got " + nonce.length);
      }
      return nonce;
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

  /**
   * Whether {@link #close()} began while a call that passed {@link #checkOpen()} was using the key.
   * Close sets the flag before it wipes the key, so a call that still reads it clear after its
   * cipher work used the whole key; the fence keeps that work's reads of the key before this read,
   * as {@code StampedLock.validate} does. A call that reads it set may have used a partly wiped
   * key: its output is discarded, never returned as if it were sound.
   */
  private boolean closedDuringTheCall() {
    VarHandle.acquireFence();
    return closed;
  }

  private IllegalStateException closedDuringTheCall(String operation) {
    return new IllegalStateException(
        "this Aead (engine " + engineName + ") was closed during the " + operation
            + " call, which may have used a partly destroyed key; its output was discarded");
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

  /**
   * True when {@code input}'s remaining bytes share memory with the {@code length} bytes at {@code
   * output}'s position without starting exactly there (starting there is in-place work, which every
   * engine handles). Direct buffers are compared by address, heap buffers by backing array, so the
   * common cases allocate nothing.
   */
  private static boolean overlapsElsewhere(ByteBuffer output, long length, ByteBuffer input) {
    if (output.isDirect() != input.isDirect()) {
      return false;
    }
    MemorySegment out = MemorySegment.ofBuffer(output);
    MemorySegment in = MemorySegment.ofBuffer(input);
    if (!output.isDirect()) {
      if (input.isReadOnly()) {
        // A read-only buffer does not show its array; the segments still know whether they share it.
        Optional<MemorySegment> shared = out.asSlice(0, length).asOverlappingSlice(in);
        return shared.isPresent() && in.address() != out.address();
      }
      if (output.array() != input.array()) {
        return false;
      }
    }
    // Native memory, or one array: the addresses are offsets in the same space.
    long outStart = out.address();
    long inStart = in.address();
    boolean overlap = inStart < outStart + length && outStart < inStart + input.remaining();
    return overlap && inStart != outStart;
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
