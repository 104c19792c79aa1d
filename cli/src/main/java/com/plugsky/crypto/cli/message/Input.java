package com.plugsky.crypto.cli.message;

import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.cli.terminal.Progress;
import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A command's input: a file, or standard input when no file (or {@code -}) is named. Reading it
 * advances a progress bar on a terminal.
 */
final class Input extends InputStream {
  /** Envelope headers are at most 64 KiB (docs/FORMAT.md); a mark this large can always reset. */
  static final int HEADER_MARK_LIMIT = 65_536 + 1;

  private final BufferedInputStream in;
  private final long size;
  private final Progress progress;
  private final String name;
  private long read;
  private long marked;

  private Input(InputStream raw, long size, String name, String verb) {
    this.in = new BufferedInputStream(raw, 1 << 16);
    this.size = size;
    this.name = name;
    this.progress = Progress.start(verb);
  }

  static Input open(Path file, String verb) throws IOException {
    if (file == null || file.toString().equals("-")) {
      return new Input(new FileInputStream(FileDescriptor.in), -1, "standard input", verb);
    }
    if (Files.isDirectory(file)) {
      throw new UserError(file + " is a directory; name a file");
    }
    return new Input(Files.newInputStream(file), Files.size(file), file.toString(), verb);
  }

  /** The file name, or "standard input". */
  String name() {
    return name;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      advance(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      advance(n);
    }
    return n;
  }

  @Override
  public boolean markSupported() {
    return true;
  }

  @Override
  public synchronized void mark(int limit) {
    in.mark(limit);
    marked = read;
  }

  @Override
  public synchronized void reset() throws IOException {
    in.reset();
    read = marked;
  }

  @Override
  public void close() throws IOException {
    progress.close();
    in.close();
  }

  private void advance(int n) {
    read += n;
    progress.bytes(read, size);
  }
}
