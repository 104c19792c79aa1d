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
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Key files of the local key wrapper: {@code <directory>/<name>.kek}, 32 raw bytes, owner-only.
 *
 * <p>A new file is written and synced under a temporary name and then hard-linked into place, which
 * fails if the name exists: two processes creating the same key at once both end up with the one
 * that won, never a half-written file or a key that silently replaced another.
 *
 * <p>A key read once is kept in memory with the file's identity (inode), size, modification time and
 * permissions, and each use checks those with one {@code stat}: a file replaced, rewritten, removed
 * or opened up to group or others is noticed on the next call, which reads it again or refuses it,
 * and the old copy is zeroed. Keeping the key costs nothing in exposure (the file is on the same
 * machine, readable by the same user) and saves the open/read/close of every wrap and unwrap.
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
  // Readers copy a cached key under the read lock; replacing or dropping one (which zeroes it)
  // takes the write lock, so no reader can copy a key that is being zeroed.
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<Path, CachedKey> cached = new HashMap<>();

  KeyFileStore(Path directory) {
    this.directory = directory;
  }

  /** A key file's contents and what identified the file when they were read. */
  private record CachedKey(
      byte[] kek,
      Object fileKey,
      long size,
      FileTime modified,
      Set<PosixFilePermission> permissions) {
    boolean describes(PosixFileAttributes attributes) {
      return Objects.equals(fileKey, attributes.fileKey())
          && size == attributes.size()
          && modified.equals(attributes.lastModifiedTime())
          && permissions.equals(attributes.permissions());
    }
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
    if (!isCached(file) && !Files.exists(file)) {
      create(file);
    }
    try {
      return read(file);
    } catch (KeyUnavailableException e) {
      if (Files.exists(file)) {
        throw e;
      }
      // A cached key whose file was removed since: make a new one, as for a name never used.
      create(file);
      return read(file);
    }
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
      PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
      byte[] known = cachedCopy(file, attributes);
      if (known != null) {
        return known;
      }
      forget(file);
      Set<PosixFilePermission> permissions = attributes.permissions();
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
      long size = attributes.size();
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
      PosixFileAttributes after = Files.readAttributes(file, PosixFileAttributes.class);
      CachedKey read =
          new CachedKey(
              kek.clone(),
              attributes.fileKey(),
              size,
              attributes.lastModifiedTime(),
              Set.copyOf(permissions));
      if (read.describes(after)) {
        remember(file, read);
      } else {
        Bytes.zero(read.kek());
      }
      return kek;
    } catch (NoSuchFileException e) {
      forget(file);
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

  private boolean isCached(Path file) {
    lock.readLock().lock();
    try {
      return cached.containsKey(file);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A copy of the cached key of {@code file} if the file still matches {@code attributes}. */
  private byte[] cachedCopy(Path file, PosixFileAttributes attributes) {
    lock.readLock().lock();
    try {
      CachedKey known = cached.get(file);
      return known != null && known.describes(attributes) ? known.kek().clone() : null;
    } finally {
      lock.readLock().unlock();
    }
  }

  private void remember(Path file, CachedKey read) {
    lock.writeLock().lock();
    try {
      CachedKey previous = cached.put(file, read);
      if (previous != null) {
        Bytes.zero(previous.kek());
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void forget(Path file) {
    lock.writeLock().lock();
    try {
      CachedKey stale = cached.remove(file);
      if (stale != null) {
        Bytes.zero(stale.kek());
      }
    } finally {
      lock.writeLock().unlock();
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
