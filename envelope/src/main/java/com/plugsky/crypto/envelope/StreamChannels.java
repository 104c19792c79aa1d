package com.plugsky.crypto.envelope;

import com.plugsky.crypto.primitive.Bytes;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Blocking channels over the envelope's streams. Unlike {@link java.nio.channels.Channels}, which
 * moves every buffer through an 8 KiB array, they hand a heap buffer's own array to the stream, so a
 * transfer of a whole frame or more is sealed or opened in place; other buffers still go through a
 * small array, which is zeroed on close because it held plaintext.
 */
final class StreamChannels {
  private static final int TRANSFER_SIZE = 8192;

  private StreamChannels() {}

  /** A channel that writes to {@code out} and closes it on close. */
  static WritableByteChannel writing(OutputStream out) {
    return new Writing(out);
  }

  /** A channel that reads from {@code in} and closes it on close. */
  static ReadableByteChannel reading(InputStream in) {
    return new Reading(in);
  }

  /** What both directions share: the stream to close and the transfer array to zero. */
  private abstract static class OverStream implements Channel {
    private final Closeable stream;
    private byte[] transfer;
    private boolean open = true;

    OverStream(Closeable stream) {
      this.stream = stream;
    }

    final void ensureOpen() throws ClosedChannelException {
      if (!open) {
        throw new ClosedChannelException();
      }
    }

    /** The array that carries a direct or read-only buffer's bytes, made on first need. */
    final byte[] transfer() {
      if (transfer == null) {
        transfer = new byte[TRANSFER_SIZE];
      }
      return transfer;
    }

    @Override
    public final boolean isOpen() {
      return open;
    }

    @Override
    public final void close() throws IOException {
      if (open) {
        open = false;
        try (stream) {
          Bytes.zero(transfer);
        }
      }
    }
  }

  private static final class Writing extends OverStream implements WritableByteChannel {
    private final OutputStream out;

    Writing(OutputStream out) {
      super(out);
      this.out = out;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
      ensureOpen();
      int length = source.remaining();
      if (source.hasArray()) {
        out.write(source.array(), source.arrayOffset() + source.position(), length);
        source.position(source.limit());
        return length;
      }
      byte[] transfer = transfer();
      while (source.hasRemaining()) {
        int n = Math.min(source.remaining(), transfer.length);
        source.get(transfer, 0, n);
        out.write(transfer, 0, n);
      }
      return length;
    }
  }

  private static final class Reading extends OverStream implements ReadableByteChannel {
    private final InputStream in;

    Reading(InputStream in) {
      super(in);
      this.in = in;
    }

    @Override
    public int read(ByteBuffer target) throws IOException {
      ensureOpen();
      if (!target.hasRemaining()) {
        return 0;
      }
      if (target.hasArray()) {
        int n = in.read(target.array(), target.arrayOffset() + target.position(), target.remaining());
        if (n > 0) {
          target.position(target.position() + n);
        }
        return n;
      }
      byte[] transfer = transfer();
      int n = in.read(transfer, 0, Math.min(target.remaining(), transfer.length));
      if (n > 0) {
        target.put(transfer, 0, n);
      }
      return n;
    }
  }
}
