package com.plugsky.crypto.keywrap.local;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Key files of the local key wrapper: {@code <directory>/<name>.kek}, 32 raw bytes, owner-only.
 *
 * <p>A new file is written and synced under a temporary name and then hard-linked into place, which
 * fails if the name exists: two processes creating the same key at once both end up with the one
 * that won, never a half-written file or a key that silently replaced another.
 */
final class KeyFileStore {
  static final int KEK_LENGTH = 32;
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private final Path directory;

  KeyFileStore(Path directory) {
    this.directory = directory;
  }

  Path directory() {
    return directory;
  }

  Path fileFor(String name) {
    return directory.resolve(name + ".kek");
  }

  /** The KEK called {@code name}, created first if it does not exist. The caller zeroes it. */
  byte[] readOrCreate(String name) {
    Path file = fileFor(name);
    if (!Files.exists(file)) {
      create(file);
    }
    return read(file);
  }

  /** The existing KEK called {@code name}. The caller zeroes it. */
  byte[] readExisting(String name) {
    return read(fileFor(name));
  }

  private void create(Path file) {
    byte[] kek = CryptoRandom.bytes(KEK_LENGTH);
    Path temporary = null;
    try {
      Files.createDirectories(
          directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
      temporary =
          Files.createTempFile(
              directory,
              file.getFileName() + ".",
              ".tmp",
              PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(kek));
        channel.force(true);
      }
      Files.createLink(file, temporary);
    } catch (FileAlreadyExistsException e) {
      // Another thread or process created it first; read theirs.
    } catch (UnsupportedOperationException e) {
      throw notPosix(e);
    } catch (IOException e) {
      throw new KeyUnavailableException(
          "cannot create local key file " + file + ": " + describe(e), e);
    } finally {
      Bytes.zero(kek);
      deleteQuietly(temporary);
    }
  }

  private byte[] read(Path file) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
        throw new ConfigurationException(
            "local key file "
                + file
                + " is accessible by group or others ("
                + PosixFilePermissions.toString(permissions)
                + "); refusing to use it."
                + " Make it owner-only (chmod 600 "
                + file
                + ") if it was never exposed, otherwise"
                + " treat the key as compromised");
      }
      long size = Files.size(file);
      if (size != KEK_LENGTH) {
        throw new ConfigurationException(
            "local key file "
                + file
                + " holds "
                + size
                + " bytes; a local key-encryption key is exactly "
                + KEK_LENGTH);
      }
      byte[] kek = Files.readAllBytes(file);
      if (kek.length != KEK_LENGTH) {
        Bytes.zero(kek);
        throw new KeyUnavailableException("local key file " + file + " changed while it was read");
      }
      return kek;
    } catch (NoSuchFileException e) {
      throw new KeyUnavailableException(
          "no local key file "
              + file
              + ": the key was created in another directory or on another machine,"
              + " or the file was removed",
          e);
    } catch (UnsupportedOperationException e) {
      throw notPosix(e);
    } catch (IOException e) {
      throw new KeyUnavailableException(
          "cannot read local key file " + file + ": " + describe(e), e);
    }
  }

  private ConfigurationException notPosix(UnsupportedOperationException e) {
    return new ConfigurationException(
        "the local key wrapper needs a POSIX file system to keep key files owner-only; "
            + directory
            + " is not on one",
        e);
  }

  private static String describe(IOException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  private static void deleteQuietly(Path temporary) {
    if (temporary == null) {
      return;
    }
    try {
      Files.deleteIfExists(temporary);
    } catch (IOException e) {
      // A leftover temporary file is owner-only and harmless; the key operation already has its
      // answer.
    }
  }
}
