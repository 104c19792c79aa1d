package com.plugsky.crypto.envelope;

import static com.plugsky.crypto.envelope.Format.FINAL_FLAG;
import static com.plugsky.crypto.envelope.Format.FRAME_WORD_LENGTH;
import static com.plugsky.crypto.envelope.Format.GCM_TAG_LENGTH;
import static com.plugsky.crypto.envelope.Format.MAX_FRAMES;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.engine.AeadEngine;

/**
 * Seals and opens the frames of one message under its payload key: the nonce is the frame index,
 * the AAD binds the index, the final flag and, before them, the message id (suites 1 and 2) or
 * every header byte up to the end of the context, message id included (suite 3) (docs/FORMAT.md,
 * body). Not thread-safe: one per message. Closing destroys the key.
 */
final class FrameCipher implements AutoCloseable {
  private static final int NONCE_LENGTH = 12;

  /**
   * A frame's nonce is its index, written just before each call into this thread's array (its first
   * eight bytes stay zero): nonces are public, so one array per thread serves every message.
   */
  private static final ThreadLocal<byte[]> NONCE =
      ThreadLocal.withInitial(() -> new byte[NONCE_LENGTH]);

  private final InsecureNonceAead aead;
  private final byte[] aad;

  /** The engine copies {@code payloadKey}; the caller may zero it right after. */
  private FrameCipher(AeadEngine engine, byte[] payloadKey, byte[] aadPrefix, int from, int length) {
    this.aad = new byte[length + 5];
    System.arraycopy(aadPrefix, from, aad, 0, length);
    this.aead = engine.newInsecureNonceAead(payloadKey);
  }

  /**
   * The frame cipher of the message whose header starts at {@code header[0]}, its context ending at
   * {@code contextEnd}; the engine copies {@code payloadKey}, which the caller may zero right after.
   */
  static FrameCipher of(
      AeadEngine engine, byte[] payloadKey, int suite, byte[] header, int contextEnd) {
    return suite == Format.SUITE_3
        ? new FrameCipher(engine, payloadKey, header, 0, contextEnd)
        : new FrameCipher(
            engine, payloadKey, header, Format.MESSAGE_ID_OFFSET, Format.MESSAGE_ID_LENGTH);
  }

  /**
   * Writes frame {@code index}: frame word, ciphertext and tag ({@code length + 20} bytes).
   *
   * @throws InvalidInputException when the message would exceed {@value Format#MAX_FRAMES} frames
   */
  int seal(long index, boolean last, byte[] in, int offset, int length, byte[] out, int outOffset) {
    if (index >= MAX_FRAMES || (!last && index == MAX_FRAMES - 1)) {
      throw new InvalidInputException(
          "a message holds at most 2^32 frames; use a larger frame size for this much data");
    }
    int word = length | (last ? FINAL_FLAG : 0);
    out[outOffset] = (byte) (word >>> 24);
    out[outOffset + 1] = (byte) (word >>> 16);
    out[outOffset + 2] = (byte) (word >>> 8);
    out[outOffset + 3] = (byte) word;
    byte[] nonce = prepare(index, last);
    return FRAME_WORD_LENGTH
        + aead.encrypt(nonce, in, offset, length, aad, out, outOffset + FRAME_WORD_LENGTH);
  }

  /**
   * Opens a frame's {@code ciphertext || tag} ({@code length} bytes) into {@code out}; on a tag
   * failure the output region is zeroed and {@link
   * com.plugsky.crypto.AuthenticationFailedException} thrown.
   */
  int open(long index, boolean last, byte[] in, int offset, int length, byte[] out, int outOffset) {
    byte[] nonce = prepare(index, last);
    return aead.decrypt(nonce, in, offset, length, aad, out, outOffset);
  }

  /** Writes frame {@code index}'s nonce and its AAD suffix (index, final flag); returns the nonce. */
  private byte[] prepare(long index, boolean last) {
    byte[] nonce = NONCE.get();
    int i = (int) index;
    nonce[8] = (byte) (i >>> 24);
    nonce[9] = (byte) (i >>> 16);
    nonce[10] = (byte) (i >>> 8);
    nonce[11] = (byte) i;
    int at = aad.length - 5;
    System.arraycopy(nonce, 8, aad, at, 4);
    aad[at + 4] = (byte) (last ? 1 : 0);
    return nonce;
  }

  @Override
  public void close() {
    aead.close();
  }

  /**
   * The plaintext length a frame word announces, after checking it against the format's rules.
   *
   * @throws MalformedCiphertextException when the word breaks a rule
   */
  static int frameLength(int word, long index, int frameSize) {
    int length = word & ~FINAL_FLAG;
    boolean last = isFinal(word);
    if (length > frameSize) {
      throw new MalformedCiphertextException(
          "frame "
              + index
              + " claims "
              + Integer.toUnsignedLong(length)
              + " bytes; this message's frames hold at most "
              + frameSize);
    }
    if (!last && length != frameSize) {
      throw new MalformedCiphertextException(
          "frame "
              + index
              + " is not final but holds "
              + length
              + " bytes instead of "
              + frameSize);
    }
    if (last && length == 0 && index > 0) {
      throw new MalformedCiphertextException(
          "frame "
              + index
              + " is an empty final frame after a full one; the writer must mark the"
              + " last full frame final");
    }
    if (!last && index >= MAX_FRAMES - 1) {
      throw new MalformedCiphertextException("message has more than 2^32 frames");
    }
    return length;
  }

  /** The big-endian frame word at {@code offset}. */
  static int readWord(byte[] bytes, int offset) {
    return (bytes[offset] & 0xff) << 24
        | (bytes[offset + 1] & 0xff) << 16
        | (bytes[offset + 2] & 0xff) << 8
        | (bytes[offset + 3] & 0xff);
  }

  static boolean isFinal(int word) {
    return (word & FINAL_FLAG) != 0;
  }

  static int sealedLength(int plaintextLength) {
    return FRAME_WORD_LENGTH + plaintextLength + GCM_TAG_LENGTH;
  }
}
