package com.plugsky.crypto.cli.message;

import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.cli.terminal.Terminal;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a command writes its result: standard output, or a file that appears only when the command
 * succeeds. A file output is written to a temporary file in the same directory (mode 0600) and
 * moved over the target atomically by {@link #commit()}; closing without a commit, or the JVM
 * stopping (Ctrl-C, SIGTERM), deletes it, so a failure never leaves partial plaintext behind.
 * Without permission to replace, the commit links the file in place, which fails if the target
 * has appeared since the output was opened, so an existing file is never replaced.
 */
final class Output implements AutoCloseable {
  private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
  /** Guards {@link #stopping}: a commit either completes before the JVM stops, or never. */
  private static final Object LIFECYCLE = new Object();
  private static boolean stopping;

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            Thread.ofPlatform()
                .name("plugsky-crypto-cleanup")
                .unstarted(
                    () -> {
                      synchronized (LIFECYCLE) {
                        stopping = true;
                        for (Path path : PENDING) {
                          try {
                            Files.deleteIfExists(path);
                          } catch (IOException e) {
                            // Nothing more can be done while the JVM stops.
                          }
                        }
                      }
                    }));
  }

  private final Path target;
  private final Path temporary;
  private final boolean replace;
  private final FileOutputStream file;
  private final OutputStream stream;
  private boolean committed;

  private Output(
      Path target, Path temporary, boolean replace, FileOutputStream file, OutputStream stream) {
    this.target = target;
    this.temporary = temporary;
    this.replace = replace;
    this.file = file;
    this.stream = stream;
  }

  /** Standard output; refused for binary data when it is a terminal. */
  static Output stdout(boolean binary) {
    if (binary && Terminal.isStdout()) {
      throw new UserError(
          "standard output is a terminal; write the message to a file (-o FILE) or a pipe");
    }
    return new Output(
        null, null, false, null, new Unclosable(new FileOutputStream(java.io.FileDescriptor.out)));
  }

  /**
   * A new file at {@code target}, created on {@link #commit()}.
   *
   * @param replace whether an existing file may be replaced (it keeps its permissions)
   */
  static Output file(Path target, boolean replace) throws IOException {
    Path absolute = target.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      throw new UserError(target + " is a directory; name a file");
    }
    if (!replace && Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
      throw new UserError(target + " exists; add --force to replace it");
    }
    Path directory = absolute.getParent();
    if (!Files.isDirectory(directory)) {
      throw new UserError("no such directory: " + directory);
    }
    Path temporary = Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".partial");
    PENDING.add(temporary);
    try {
      if (Files.exists(absolute)) {
        PosixFileAttributeView view = Files.getFileAttributeView(temporary, PosixFileAttributeView.class);
        if (view != null) {
          view.setPermissions(Files.getPosixFilePermissions(absolute));
        }
      }
      FileOutputStream file = new FileOutputStream(temporary.toFile());
      return new Output(absolute, temporary, replace, file, new Unclosable(file));
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      PENDING.remove(temporary);
      throw e;
    }
  }

  /** Where to write; closing it only flushes (the envelope streams close what they wrap). */
  OutputStream stream() {
    return stream;
  }

  /** Makes the output visible: flushes standard output, or syncs the file and moves it in place. */
  void commit() throws IOException {
    stream.flush();
    if (file != null) {
      file.getFD().sync();
      file.close();
      synchronized (LIFECYCLE) {
        if (stopping) {
          throw new IOException("stopped before " + target + " was complete; nothing was written");
        }
        if (replace) {
          Files.move(
              temporary,
              target,
              StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } else {
          moveWithoutReplacing();
        }
        PENDING.remove(temporary);
      }
    }
    committed = true;
  }

  /**
   * A rename replaces whatever is at the target, even when asked not to (on POSIX), so the file is
   * linked there instead, which fails if anything exists at the target by then.
   */
  private void moveWithoutReplacing() throws IOException {
    try {
      Files.createLink(target, temporary);
    } catch (FileAlreadyExistsException e) {
      throw new UserError(target + " appeared while writing; add --force to replace it");
    }
    Files.delete(temporary);
  }

  /** Deletes the temporary file unless {@link #commit()} ran. */
  @Override
  public void close() throws IOException {
    if (file != null && !committed) {
      try {
        file.close();
      } finally {
        Files.deleteIfExists(temporary);
        PENDING.remove(temporary);
      }
    }
  }

  /** Passes writes through; {@code close} flushes and leaves the underlying stream open. */
  private static final class Unclosable extends OutputStream {
    private final OutputStream out;

    Unclosable(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
