package com.plugsky.crypto.keywrap.local;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.CryptoRandom;
import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Key files of the local key wrapper: {@code <directory>/<name>.kek}, 32 raw bytes, owner-only.
 *
 * <p>A new file is written and synced under a temporary name and then hard-linked into place, which
 * fails if the name exists: two processes creating the same key at once both end up with the one
 * that won, never a half-written file or a key that silently replaced another.
 *
 * <p>A key file is trusted only as this process's own: a regular file (not a link, not a device or
 * pipe), owned by the user the process runs as, owner-only, in a directory that user owns and
 * nobody else may write to. Otherwise anyone who could create or swap a file there (a shared
 * directory, a pre-created one) could hand the process a key they know.
 *
 * <p>A key read once is kept in memory with the file's identity (inode), size, modification time,
 * permissions and owner, and a use checks those with one {@code stat} when the last check is older
 * than the store's recheck interval: a file replaced, rewritten, removed or opened up to group or
 * others is noticed by the first call after that, which reads it again or refuses it, and the old
 * copy is zeroed. Keeping the key costs nothing in exposure (the file is on the same machine,
 * readable by the same user) and saves the open/read/close of every wrap and unwrap; reusing a
 * recent check saves the {@code stat}, a system call of about 1.7 µs on a virtual machine, more
 * than the rest of a wrap.
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

  /** Rereads after which a file still changing under the reader is reported as unavailable. */
  static final int READ_ATTEMPTS = 3;

  private final Path directory;
  private final long recheckNanos;

  /** The user this process runs as, looked up when first needed; key files must be theirs. */
  private volatile UserPrincipal processUser;

  private final Map<String, Path> files = new ConcurrentHashMap<>();
  // Readers copy a cached key under the read lock; replacing or dropping one (which zeroes it)
  // takes the write lock, so no reader can copy a key that is being zeroed. Looking an entry up
  // (every call's check against the file) needs no lock: it reads no key bytes.
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<Path, Kek> cached = new ConcurrentHashMap<>();

  /**
   * @param recheckNanos how long a check of a file against its cached key stands; 0 checks on every
   *     use
   */
  KeyFileStore(Path directory, long recheckNanos) {
    this.directory = directory;
    this.recheckNanos = recheckNanos;
  }

  /**
   * One version of a key file: its key and what identified the file when it was read. A new version
   * of the file (replaced, rewritten, permissions changed) is a new {@code Kek}, so the identity of
   * this object names one key: keys derived from it may be kept as long as {@link #current} keeps
   * returning it.
   */
  static final class Kek {
    private final byte[] key;
    private final Object fileKey;
    private final long size;
    private final FileTime modified;
    private final Set<PosixFilePermission> permissions;
    private final UserPrincipal owner;
    private volatile long checkedAtNanos;
    private boolean dropped; // guarded by the store's write lock

    private Kek(byte[] key, PosixFileAttributes attributes, long checkedAtNanos) {
      this.key = key;
      this.checkedAtNanos = checkedAtNanos;
      this.fileKey = attributes.fileKey();
      this.size = attributes.size();
      this.modified = attributes.lastModifiedTime();
      this.permissions = Set.copyOf(attributes.permissions());
      this.owner = attributes.owner();
    }

    private boolean describes(PosixFileAttributes attributes) {
      return size == attributes.size()
          && modified.equals(attributes.lastModifiedTime())
          && Objects.equals(fileKey, attributes.fileKey())
          && permissions.equals(attributes.permissions())
          && owner.equals(attributes.owner());
    }
  }

  Path directory() {
    return directory;
  }

  Path fileFor(String name) {
    Path file = files.get(name);
    return file != null ? file : files.computeIfAbsent(name, n -> directory.resolve(n + ".kek"));
  }

  /** The KEK called {@code name}, created first if it does not exist. The caller zeroes it. */
  byte[] readOrCreate(String name) {
    return copy(name, true);
  }

  /** The existing KEK called {@code name}. The caller zeroes it. */
  byte[] readExisting(String name) {
    return copy(name, false);
  }

  /**
   * The current version of key file {@code name}: the cached one while its last check stands, else
   * checked against the file with one {@code stat} and read again when the file changed; created
   * first when missing and {@code create}.
   */
  Kek current(String name, boolean create) {
    Path file = fileFor(name);
    Kek recent = cached.get(file);
    if (recent != null && System.nanoTime() - recent.checkedAtNanos < recheckNanos) {
      return recent;
    }
    for (int attempt = 0; ; attempt++) {
      try {
        return current(file);
      } catch (KeyUnavailableException e) {
        if (!create || attempt == READ_ATTEMPTS) {
          throw e;
        }
        if (!Files.exists(file)) {
          // Never used, or removed since: make a new one, as for a name never used.
          create(file);
        }
        // Otherwise another thread or process made it after this one looked: read theirs.
      }
    }
  }

  /**
   * A copy of {@code kek}'s key, which the caller zeroes; null when the file changed since {@code
   * kek} was current (its key is zeroed then).
   */
  byte[] copyOf(Kek kek) {
    lock.readLock().lock();
    try {
      return kek.dropped ? null : kek.key.clone();
    } finally {
      lock.readLock().unlock();
    }
  }

  private byte[] copy(String name, boolean create) {
    for (int attempt = 0; ; attempt++) {
      byte[] key = copyOf(current(name, create));
      if (key != null) {
        return key;
      }
      if (attempt == READ_ATTEMPTS) {
        throw changedWhileRead(fileFor(name));
      }
    }
  }

  private void create(Path file) {
    byte[] kek = CryptoRandom.bytes(KEK_LENGTH);
    Path temporary = null;
    try {
      Files.createDirectories(
          directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
      checkDirectory();
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
      // The new name must survive a crash too, or messages wrapped under the key would outlive it.
      try (FileChannel directoryEntries = FileChannel.open(directory, StandardOpenOption.READ)) {
        directoryEntries.force(true);
      }
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

  private Kek current(Path file) {
    try {
      for (int attempt = 0; ; attempt++) {
        long checkedAt = System.nanoTime();
        PosixFileAttributes attributes =
            Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Kek known = cachedMatching(file, attributes);
        if (known != null) {
          known.checkedAtNanos = checkedAt;
          return known;
        }
        forgetUnless(file, attributes);
        checkDirectory();
        checkFile(file, attributes);
        byte[] key = readKey(file);
        PosixFileAttributes after =
            Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        Kek read = new Kek(key, attributes, checkedAt);
        if (key.length == KEK_LENGTH && read.describes(after)) {
          return remember(file, read, attributes);
        }
        Bytes.zero(key);
        if (attempt == READ_ATTEMPTS) {
          throw changedWhileRead(file);
        }
      }
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

  /**
   * The file's bytes, at most one more than a key so that a longer file is seen as such, read
   * without following a link (a link swapped in after the checks fails the open).
   */
  private static byte[] readKey(Path file) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(KEK_LENGTH + 1);
    try (SeekableByteChannel channel =
        Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      int read = 0;
      while (buffer.hasRemaining() && read >= 0) {
        read = channel.read(buffer);
      }
    }
    byte[] key = new byte[buffer.position()];
    buffer.flip().get(key);
    Bytes.zero(buffer.array());
    return key;
  }

  /** The key directory must be the process user's and writable by nobody else. */
  private void checkDirectory() throws IOException {
    PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class);
    Set<PosixFilePermission> permissions = attributes.permissions();
    if (!attributes.owner().equals(processUser())
        || permissions.contains(PosixFilePermission.GROUP_WRITE)
        || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new ConfigurationException(
          "local key directory "
              + directory
              + " belongs to "
              + attributes.owner().getName()
              + " with permissions "
              + PosixFilePermissions.toString(permissions)
              + "; refusing its key files, since another user could put a key of theirs there."
              + " Use a directory owned by "
              + "uid "
              + processUser().getName()
              + " that only its owner may write to (chmod 700)");
    }
  }

  private void checkFile(Path file, PosixFileAttributes attributes) throws IOException {
    if (!attributes.isRegularFile()) {
      throw new ConfigurationException(
          "local key file "
              + file
              + " is not a regular file (a symbolic link, directory, pipe or device);"
              + " refusing it: a key file is 32 bytes in a file of its own");
    }
    if (!attributes.owner().equals(processUser())) {
      throw new ConfigurationException(
          "local key file "
              + file
              + " belongs to "
              + attributes.owner().getName()
              + ", not to "
              + "uid "
              + processUser().getName()
              + " whom this process runs as; refusing it, since its owner chose the key");
    }
    checkPermissionsAndSize(file, attributes);
  }

  /**
   * The user this process runs as, by its numeric id (which the lookup accepts when no account name
   * matches it), so that a uid without an entry in the user database, as containers often run with,
   * still resolves.
   */
  private UserPrincipal processUser() throws IOException {
    UserPrincipal user = processUser;
    if (user == null) {
      long uid = new UnixSystem().getUid();
      user =
          FileSystems.getDefault()
              .getUserPrincipalLookupService()
              .lookupPrincipalByName(Long.toString(uid));
      processUser = user;
    }
    return user;
  }

  private static void checkPermissionsAndSize(Path file, PosixFileAttributes attributes) {
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
  }

  static KeyUnavailableException changedWhileRead(Path file) {
    return new KeyUnavailableException(
        "local key file " + file + " kept changing while it was read");
  }

  /** The cached key of {@code file} if the file still matches {@code attributes}. */
  private Kek cachedMatching(Path file, PosixFileAttributes attributes) {
    Kek known = cached.get(file);
    return known != null && known.describes(attributes) ? known : null;
  }

  /**
   * Caches {@code read}, the version of {@code file} that {@code attributes} describe, and returns
   * it; when another thread cached that same version meanwhile, returns theirs and zeroes {@code
   * read}, so that a key in use is never dropped for an identical copy.
   */
  private Kek remember(Path file, Kek read, PosixFileAttributes attributes) {
    lock.writeLock().lock();
    try {
      Kek known = cached.get(file);
      if (known != null && known.describes(attributes)) {
        drop(read);
        return known;
      }
      drop(cached.put(file, read));
      return read;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Drops the cached key of {@code file} unless it is the version {@code attributes} describe. */
  private void forgetUnless(Path file, PosixFileAttributes attributes) {
    lock.writeLock().lock();
    try {
      Kek known = cached.get(file);
      if (known != null && !known.describes(attributes)) {
        drop(cached.remove(file));
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void forget(Path file) {
    lock.writeLock().lock();
    try {
      drop(cached.remove(file));
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void drop(Kek stale) {
    if (stale != null) {
      stale.dropped = true;
      Bytes.zero(stale.key);
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
