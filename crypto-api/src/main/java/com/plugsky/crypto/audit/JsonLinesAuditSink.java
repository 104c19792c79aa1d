package com.plugsky.crypto.audit;

import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends each {@link AuditEvent} as one hash-chained JSON object per line (JSON Lines, UTF-8,
 * {@code \n}-terminated), so that {@link AuditLogVerifier} can tell whether a line was edited,
 * removed, inserted or moved.
 *
 * <p>Every line has these fields, in this order and with no whitespace: {@code seq} (1, 2, 3, ...
 * continuing across restarts), {@code timestamp} (ISO-8601 UTC, as {@link java.time.Instant}
 * prints it), {@code operation}, {@code keyRef}, {@code backend}, {@code region}, {@code bytes},
 * {@code latencyMicros}, {@code outcome}, {@code principal}, {@code requestId}, {@code
 * headerSha256} (absent optional values as {@code null}), {@code prev} (hex SHA-256 of the
 * previous line's bytes without its newline; 64 zeros on the first line) and {@code hash} (hex
 * SHA-256 of this line's UTF-8 bytes with the {@code ,"hash":"..."} member left out, i.e. of the
 * object that ends with {@code prev}). Nothing else is written: no key material, no plaintext.
 *
 * <p>Thread-safe: events from many threads are serialised under one lock, so sequence numbers and
 * the chain follow the order of the lines. Each event reaches the operating system before {@link
 * #record} returns; with {@code fsyncEachEvent} it also reaches the disk (slower, survives power
 * loss).
 *
 * <p>Failure policy: {@link #record} throws {@link UncheckedIOException} when the line cannot be
 * written, so by default a failing disk fails the key operation being audited. Wrap the sink in
 * {@link AuditSinks#failSafe} to carry on and count dropped events instead. After a failed write to
 * a file the sink cuts the file back to its last complete line and stays usable; after a failed
 * write to a stream or writer it cannot know what was written, so it refuses further events.
 */
public final class JsonLinesAuditSink implements AuditSink, AutoCloseable {
  private final ReentrantLock lock = new ReentrantLock();
  private final Target target;
  private long lastSeq;
  private String lastHash;
  private String prevDigest;
  private boolean closed;
  private IOException broken;

  private JsonLinesAuditSink(Target target, long lastSeq, String lastHash, String prevDigest) {
    this.target = target;
    this.lastSeq = lastSeq;
    this.lastHash = lastHash;
    this.prevDigest = prevDigest;
  }

  /** Same as {@code open(file, false)}: flush each event to the operating system, no fsync. */
  public static JsonLinesAuditSink open(Path file) {
    return open(file, false);
  }

  /**
   * Opens {@code file} for appending, creating it if needed. An existing log is continued: its
   * last line is read and checked, and the next line carries the following {@code seq} and chains
   * to it. Only the last line is checked here; run {@link AuditLogVerifier} for the whole file.
   * The file is locked for writing, so a second sink on it (in this or another process) fails.
   *
   * @param fsyncEachEvent force each line to the storage device before {@link #record} returns
   * @throws IllegalArgumentException if the file ends with an incomplete or damaged line (an
   *     interrupted write or an edit): appending would hide the damage, so it must be repaired
   * @throws IllegalStateException if another sink holds the file
   * @throws UncheckedIOException if the file cannot be opened or read
   */
  public static JsonLinesAuditSink open(Path file, boolean fsyncEachEvent) {
    Objects.requireNonNull(file, "file");
    FileChannel channel;
    try {
      channel = FileChannel.open(file, CREATE, READ, WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open audit log " + file, e);
    }
    try {
      FileLock fileLock;
      try {
        fileLock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        fileLock = null;
      }
      if (fileLock == null) {
        throw new IllegalStateException("audit log " + file + " is already open for writing");
      }
      long size = channel.size();
      Tail tail = readTail(channel, size, file);
      channel.position(size);
      return new JsonLinesAuditSink(
          new FileTarget(channel, fsyncEachEvent, size), tail.seq, tail.hash, tail.digest);
    } catch (IOException e) {
      closeAfterFailure(channel, e);
      throw new UncheckedIOException("cannot open audit log " + file, e);
    } catch (RuntimeException e) {
      closeAfterFailure(channel, e);
      throw e;
    }
  }

  /**
   * Writes a new log (starting at {@code seq} 1) to {@code out}, UTF-8 encoded, flushing after
   * each line. Closing the sink closes the stream.
   */
  public static JsonLinesAuditSink to(OutputStream out) {
    Objects.requireNonNull(out, "out");
    return new JsonLinesAuditSink(
        new StreamTarget(out), 0, AuditLine.GENESIS, AuditLine.GENESIS);
  }

  /**
   * Writes a new log (starting at {@code seq} 1) to {@code out}, flushing after each line. The
   * writer must encode UTF-8, or the chain (computed over UTF-8 bytes) will not verify. Closing the
   * sink closes the writer.
   */
  public static JsonLinesAuditSink to(Writer out) {
    Objects.requireNonNull(out, "out");
    return new JsonLinesAuditSink(
        new WriterTarget(out), 0, AuditLine.GENESIS, AuditLine.GENESIS);
  }

  /**
   * Appends one line for {@code event}.
   *
   * @throws UncheckedIOException if the line cannot be written
   * @throws IllegalStateException if the sink is closed, or stopped after an earlier failure
   * @throws IllegalArgumentException if the event's line would exceed 64 KiB
   */
  @Override
  public void record(AuditEvent event) {
    Objects.requireNonNull(event, "event");
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("audit sink is closed");
      }
      if (broken != null) {
        throw new IllegalStateException(
            "audit sink stopped after a write failed part-way; the log's end is unknown", broken);
      }
      AuditLine.Encoded line = AuditLine.encode(lastSeq + 1, event, prevDigest);
      try {
        target.append(line);
      } catch (IOException e) {
        if (!target.rollback()) {
          broken = e;
        }
        throw new UncheckedIOException("cannot append to the audit log", e);
      }
      lastSeq++;
      lastHash = line.hash();
      prevDigest = line.digest();
    } finally {
      lock.unlock();
    }
  }

  /** The {@code seq} of the last line in the log, 0 when it is empty. */
  public long lastSeq() {
    lock.lock();
    try {
      return lastSeq;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The {@code hash} of the last line in the log (64 zeros when it is empty). Store it outside the
   * log and pass it to {@link AuditLogVerifier#verify(Path, String)} to detect a cut-off tail.
   */
  public String lastHash() {
    lock.lock();
    try {
      return lastHash;
    } finally {
      lock.unlock();
    }
  }

  /** Closes the destination (forcing a file to disk first) and releases the file lock. */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      target.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the audit log", e);
    } finally {
      lock.unlock();
    }
  }

  private record Tail(long seq, String hash, String digest) {}

  private static Tail readTail(FileChannel channel, long size, Path file) throws IOException {
    if (size == 0) {
      return new Tail(0, AuditLine.GENESIS, AuditLine.GENESIS);
    }
    int n = (int) Math.min(size, AuditLine.MAX_LINE_BYTES + 1L);
    ByteBuffer buf = ByteBuffer.allocate(n);
    long at = size - n;
    while (buf.hasRemaining()) {
      if (channel.read(buf, at + buf.position()) < 0) {
        throw new IOException("audit log " + file + " shrank while being opened");
      }
    }
    byte[] tail = buf.array();
    if (tail[n - 1] != '\n') {
      throw new IllegalArgumentException(
          "audit log "
              + file
              + " ends with an incomplete line; check it with AuditLogVerifier and repair it"
              + " before appending");
    }
    int start = n - 2;
    while (start >= 0 && tail[start] != '\n') {
      start--;
    }
    if (start < 0 && size > n) {
      throw new IllegalArgumentException(
          "audit log " + file + " ends with a line longer than any this sink writes");
    }
    byte[] last = Arrays.copyOfRange(tail, start + 1, n - 1);
    try {
      AuditLine.Decoded decoded = AuditLine.decode(last);
      return new Tail(decoded.seq(), decoded.hash(), AuditLine.sha256Hex(last));
    } catch (AuditLine.Defect d) {
      throw new IllegalArgumentException(
          "audit log "
              + file
              + " ends with a damaged line ("
              + d.getMessage()
              + "); check it with AuditLogVerifier and repair it before appending");
    }
  }

  private static void closeAfterFailure(FileChannel channel, Exception failure) {
    try {
      channel.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  private static byte[] withNewline(byte[] line) {
    byte[] out = Arrays.copyOf(line, line.length + 1);
    out[line.length] = '\n';
    return out;
  }

  /** Where lines go. Called under the sink's lock only. */
  private sealed interface Target permits FileTarget, StreamTarget, WriterTarget {
    void append(AuditLine.Encoded line) throws IOException;

    /** After a failed append: restores the state before it if possible, and says whether it did. */
    boolean rollback();

    void close() throws IOException;
  }

  private static final class FileTarget implements Target {
    private final FileChannel channel;
    private final boolean fsync;
    private long committed;

    FileTarget(FileChannel channel, boolean fsync, long committed) {
      this.channel = channel;
      this.fsync = fsync;
      this.committed = committed;
    }

    @Override
    public void append(AuditLine.Encoded line) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(withNewline(line.utf8()));
      while (buf.hasRemaining()) {
        channel.write(buf);
      }
      if (fsync) {
        channel.force(false);
      }
      committed = channel.position();
    }

    @Override
    public boolean rollback() {
      try {
        channel.truncate(committed);
        channel.position(committed);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void close() throws IOException {
      try (channel) {
        channel.force(false);
      }
    }
  }

  private static final class StreamTarget implements Target {
    private final OutputStream out;

    StreamTarget(OutputStream out) {
      this.out = out;
    }

    @Override
    public void append(AuditLine.Encoded line) throws IOException {
      out.write(withNewline(line.utf8()));
      out.flush();
    }

    @Override
    public boolean rollback() {
      return false;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  private static final class WriterTarget implements Target {
    private final Writer out;

    WriterTarget(Writer out) {
      this.out = out;
    }

    @Override
    public void append(AuditLine.Encoded line) throws IOException {
      out.write(line.text() + '\n');
      out.flush();
    }

    @Override
    public boolean rollback() {
      return false;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
