package com.plugsky.crypto.bench.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The plumbing of the 1 GiB stream benchmarks: the plaintext is one 1 MiB block written {@link
 * #BLOCKS} times, ciphertext goes to a counting sink or a preallocated array, and decrypted bytes are
 * read into a frame-sized buffer and dropped, so neither I/O nor copying plays a part.
 */
final class GibStreams {
  static final int SIZE = 1 << 30;
  static final int BLOCK = 1 << 20;
  static final int BLOCKS = SIZE / BLOCK;
  static final int FRAME = 64 * 1024;
  /** Room for the header and every frame's overhead of a 1 GiB message (both formats need less). */
  private static final int MESSAGE_SLACK = 8 << 20;

  private GibStreams() {}

  /** Writes the 1 GiB plaintext (the block {@link #BLOCKS} times) to {@code out} and closes it. */
  static void writeGib(byte[] block, OutputStream out) throws IOException {
    try (out) {
      for (int i = 0; i < BLOCKS; i++) {
        out.write(block);
      }
    }
  }

  /** Reads {@code in} to its end, closes it, and returns how many bytes it gave. */
  static long drain(InputStream in) throws IOException {
    byte[] buffer = new byte[FRAME];
    long total = 0;
    try (in) {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        total += n;
      }
    }
    return total;
  }

  /** Fails the trial unless a stream gave back exactly the 1 GiB it was given. */
  static void requireGib(long bytes, String what) {
    if (bytes != SIZE) {
      throw new IllegalStateException(what + " gave " + bytes + " bytes, not " + SIZE);
    }
  }

  /** An output stream that only counts. */
  static final class CountingSink extends OutputStream {
    private long count;

    @Override
    public void write(int b) {
      count++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      count += length;
    }

    long count() {
      return count;
    }
  }

  /** An output stream into one array sized for a 1 GiB message, to decrypt from in the trial. */
  static final class MessageBuffer extends OutputStream {
    private final byte[] bytes = new byte[SIZE + MESSAGE_SLACK];
    private int length;

    @Override
    public void write(int b) {
      bytes[length++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int count) {
      System.arraycopy(source, offset, bytes, length, count);
      length += count;
    }

    InputStream reader() {
      return new InputStream() {
        private int position;

        @Override
        public int read() {
          return position < length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] target, int offset, int count) {
          if (position >= length) {
            return -1;
          }
          int n = Math.min(count, length - position);
          System.arraycopy(bytes, position, target, offset, n);
          position += n;
          return n;
        }
      };
    }
  }
}
