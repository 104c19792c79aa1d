package com.plugsky.crypto.envelope;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.primitive.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * Decrypts a message frame by frame as it is read, from {@link Envelope#decryptingStream}. The
 * header, and the first frame whose tag covers the rest of it, were authenticated before this
 * stream was handed out. Memory is one sealed frame and one plaintext frame; no byte of a frame is
 * returned before its tag has verified, so a reader sees only authentic plaintext, but a message
 * cut short or modified after the first frames fails only when it is reached: treat the data as
 * complete only once {@code read} has returned -1. A read with room for a whole frame gets it
 * decrypted straight into its array; if the tag fails, that part of the array is zeroed before the
 * exception is thrown.
 *
 * <p>Failures are thrown as the library's unchecked exceptions ({@link
 * com.plugsky.crypto.AuthenticationFailedException}, {@link MalformedCiphertextException}); I/O
 * failures of the source as {@link IOException}. After a failure the stream stays failed. Not
 * thread-safe.
 */
public final class DecryptingInputStream extends InputStream {
  private final InputStream in;
  private final FrameCipher cipher;
  private final EnvelopeHeader header;
  private final KeyRef openedBy;
  private final int frameSize;
  private final byte[] sealed;
  private final byte[] plaintext;
  private final byte[] single = new byte[1];
  private final byte[] word = new byte[Format.FRAME_WORD_LENGTH];
  private int position;
  private int limit;
  private long index;
  private boolean lastFrame;
  private boolean finalFrameRead;
  private boolean failed;
  private boolean closed;

  DecryptingInputStream(InputStream in, FrameCipher cipher, Header header, KeyRef openedBy) {
    this.in = in;
    this.cipher = cipher;
    this.header = header.describe();
    this.openedBy = openedBy;
    this.frameSize = header.frameSize();
    this.sealed = new byte[frameSize + Format.GCM_TAG_LENGTH];
    this.plaintext = new byte[frameSize];
  }

  /** The message's header, authenticated. */
  public EnvelopeHeader header() {
    return header;
  }

  /** The key-encryption key whose wrapping opened the message. */
  public KeyRef openedBy() {
    return openedBy;
  }

  @Override
  public int read() throws IOException {
    int n = read(single, 0, 1);
    return n < 0 ? -1 : single[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureReadable();
    if (len == 0) {
      return 0;
    }
    while (position == limit) {
      if (finalFrameRead) {
        return -1;
      }
      int length = readFrame();
      if (length > 0 && len >= length) {
        // The caller's array is not released before read returns, and the open zeroes it when
        // the tag fails, so it can take the plaintext without the copy through our buffer.
        openFrame(b, off, length);
        return length;
      }
      openFrame(plaintext, 0, length);
      position = 0;
      limit = length;
    }
    int n = Math.min(len, limit - position);
    System.arraycopy(plaintext, position, b, off, n);
    position += n;
    return n;
  }

  /**
   * Writes the rest of the plaintext to {@code out} a verified frame at a time, straight from the
   * frame buffer rather than through the 16 KiB copies of {@link InputStream#transferTo}.
   */
  @Override
  public long transferTo(OutputStream out) throws IOException {
    Objects.requireNonNull(out, "out");
    ensureReadable();
    long total = 0;
    while (true) {
      if (position < limit) {
        out.write(plaintext, position, limit - position);
        total += limit - position;
        position = limit;
      }
      if (finalFrameRead) {
        return total;
      }
      int length = readFrame();
      openFrame(plaintext, 0, length);
      position = 0;
      limit = length;
    }
  }

  /**
   * Reads and opens the first frame into the buffer, where the first reads find it: its tag
   * authenticates the header fields the key commitment leaves to the frames, so the stream is
   * handed out only for an authentic header.
   */
  void openFirstFrame() throws IOException {
    int length = readFrame();
    openFrame(plaintext, 0, length);
    position = 0;
    limit = length;
  }

  @Override
  public int available() {
    return limit - position;
  }

  /**
   * Reads the next frame's ciphertext and tag into {@link #sealed}; returns its plaintext length.
   */
  private int readFrame() throws IOException {
    try {
      if (in.readNBytes(word, 0, Format.FRAME_WORD_LENGTH) < Format.FRAME_WORD_LENGTH) {
        throw new MalformedCiphertextException(
            "message ends before its final frame (at frame " + index + ")");
      }
      int frameWord = FrameCipher.readWord(word, 0);
      int length = FrameCipher.frameLength(frameWord, index, frameSize);
      lastFrame = FrameCipher.isFinal(frameWord);
      int sealedLength = length + Format.GCM_TAG_LENGTH;
      if (in.readNBytes(sealed, 0, sealedLength) < sealedLength) {
        throw new MalformedCiphertextException("message ends inside frame " + index);
      }
      if (lastFrame && in.read() >= 0) {
        throw new MalformedCiphertextException("message has bytes after its final frame");
      }
      return length;
    } catch (IOException | RuntimeException e) {
      fail();
      throw e;
    }
  }

  /** Opens the frame {@link #readFrame} read into {@code out}, which is all zero if it fails. */
  private void openFrame(byte[] out, int offset, int length) {
    try {
      cipher.open(index, lastFrame, sealed, 0, length + Format.GCM_TAG_LENGTH, out, offset);
    } catch (RuntimeException e) {
      Arrays.fill(out, offset, offset + length, (byte) 0);
      fail();
      throw e;
    }
    index++;
    finalFrameRead = lastFrame;
  }

  private void ensureReadable() throws IOException {
    if (closed) {
      throw new IOException("this decrypting stream is closed");
    }
    if (failed) {
      throw new IOException("this decrypting stream failed earlier; its data is not trustworthy");
    }
  }

  private void fail() {
    failed = true;
    release();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (in) {
      release();
    }
  }

  private void release() {
    position = 0;
    limit = 0;
    cipher.close();
    Bytes.zero(plaintext);
    Bytes.zero(single);
  }
}
