package com.plugsky.crypto.envelope;

import com.plugsky.crypto.primitive.Bytes;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Encrypts a message frame by frame as it is written: memory is one plaintext frame and one sealed
 * frame. A full frame is held back until the next byte arrives, because only {@link #close()} can
 * tell whether it is the last one, which must be marked final; a write that holds a whole frame and
 * more is sealed from the caller's array without that copy. The header was written before this
 * stream was made; {@link #close()} writes the final frame and closes the target.
 */
final class EncryptingOutputStream extends OutputStream {
  private final OutputStream out;
  private final FrameCipher cipher;
  private final byte[] plaintext;
  private final byte[] sealed;
  private final byte[] single = new byte[1];
  private int filled;
  private long index;
  private boolean closed;

  EncryptingOutputStream(OutputStream out, FrameCipher cipher, int frameSize) {
    this.out = out;
    this.cipher = cipher;
    this.plaintext = new byte[frameSize];
    this.sealed = new byte[FrameCipher.sealedLength(frameSize)];
  }

  @Override
  public void write(int b) throws IOException {
    single[0] = (byte) b;
    write(single, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    while (len > 0) {
      if (filled == plaintext.length) {
        emit(false);
      }
      if (filled == 0 && len > plaintext.length) {
        // A whole frame with more bytes behind it cannot be the last: seal it where it lies.
        emit(b, off, plaintext.length, false);
        off += plaintext.length;
        len -= plaintext.length;
        continue;
      }
      int n = Math.min(len, plaintext.length - filled);
      System.arraycopy(b, off, plaintext, filled, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  /** Flushes the target; a partial frame stays buffered, since frames are sealed whole. */
  @Override
  public void flush() throws IOException {
    ensureOpen();
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try (out) {
      emit(true);
    } finally {
      release();
    }
  }

  private void emit(boolean last) throws IOException {
    emit(plaintext, 0, filled, last);
    filled = 0;
  }

  private void emit(byte[] frame, int offset, int length, boolean last) throws IOException {
    try {
      int written = cipher.seal(index, last, frame, offset, length, sealed, 0);
      out.write(sealed, 0, written);
    } catch (IOException | RuntimeException e) {
      closed = true;
      release();
      throw e;
    }
    index++;
  }

  private void release() {
    cipher.close();
    Bytes.zero(plaintext);
    Bytes.zero(single);
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("this encrypting stream is closed");
    }
  }
}
