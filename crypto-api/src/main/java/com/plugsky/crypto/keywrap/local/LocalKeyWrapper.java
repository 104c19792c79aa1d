package com.plugsky.crypto.keywrap.local;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.aead.InsecureNonceAead;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.context.LastEncodedContext;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.AeadRouting;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keyref.LocalKeyRef;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.CryptoRandom;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code local:} key wrapper: software key-encryption keys in key files, for development and
 * tests. Production keys belong in an HSM or KMS, where they cannot be copied off the machine.
 *
 * <h2>Key files</h2>
 *
 * {@code local:<name>} is the file {@code <directory>/<name>.kek} holding 32 random bytes. The
 * directory is, in order: {@link Builder#keyDirectory(Path)}, the system property {@value
 * #KEY_DIRECTORY_PROPERTY}, {@code ~/.plugsky-crypto/keys}. The first wrap under a name creates its
 * file with permissions {@code 0600} (and the directory, if missing, with {@code 0700}); a key file
 * that group or others can access is refused with {@link ConfigurationException}, since anyone who
 * could read it can unwrap every data key under it, and so is one that is not a regular file (a
 * link, a pipe), that another user owns, or whose directory another user owns or may write to,
 * since whoever could put a file there could hand this process a key they know. A missing file on
 * unwrap is a {@link KeyUnavailableException}. The KEK is kept in memory after the first read and
 * checked against the file's inode, size, modification time, permissions and owner (one {@code
 * stat}) by the first call after the last check is {@link Builder#keyFileRecheck(Duration) a
 * second} old, so a changed, replaced or removed file is read again or refused within a second, or
 * on every call with {@link Duration#ZERO}; copies taken to derive keys are zeroed right after, and
 * keys derived from a file version are zeroed when it changes.
 *
 * <h2>Wrapped bytes, version 2 (written)</h2>
 *
 * <pre>
 *   version   1 byte   0x02
 *   salt      16 bytes random, drawn with each wrap key (see below)
 *   counter   4 bytes  big-endian: this wrap's number under that wrap key, 0, 1, 2, ...
 *   sealed    AES-256-GCM(wrapKey, nonce = 8 zero bytes || counter,
 *                         AAD = context.encoded(), dataKey): dataKey.length + 16 bytes
 *
 *   wrapKey = HKDF-SHA256(IKM  = KEK (32 bytes),
 *                         salt = salt,
 *                         info = "plugsky local wrap v2" (21 ASCII bytes),
 *                         L    = 32)
 * </pre>
 *
 * A 32-byte data key wraps to 69 bytes (version 1: 73). A wrapper derives a wrap key once, under a
 * salt it draws, and numbers the wraps under it (shared by concurrent callers) until the counter is
 * used up ({@value #WRAPS_PER_WRAP_KEY} wraps), then draws a new salt; the first call that notices
 * a change of the key file drops the wrap key (zeroed once no call in flight uses it) with the KEK.
 * So a wrap costs the GCM encryption of the data key under a key already set up (and a {@code stat}
 * once a second), without the HKDF and key-wrap cipher set-up of version 1. Why this is as safe:
 *
 * <ul>
 *   <li>The context is bound as GCM's associated data: a different context (or KEK, or salt, or any
 *       modified byte) fails the tag, and unwrap throws {@link AuthenticationFailedException}, as
 *       in version 1.
 *   <li>No (key, nonce) pair repeats: a wrap key is used by the one wrapper that drew its salt,
 *       which hands out each counter value once. Another wrapper or process on the same key file
 *       draws its own salt: two draws of the same 128-bit salt are as likely as guessing a key.
 *   <li>GCM's output differs for equal data keys (a new nonce each time), the job the per-wrap salt
 *       did for deterministic AES-KWP in version 1.
 *   <li>The derived key is as sensitive as the KEK, which this wrapper already keeps in memory; it
 *       lives no longer than the KEK's file version.
 * </ul>
 *
 * <h2>Wrapped bytes, version 1 (read only)</h2>
 *
 * <pre>
 *   version   1 byte   0x01
 *   salt      32 bytes random, fresh for every wrap
 *   wrapped   AES-KWP(wrapKey, dataKey)   RFC 5649; dataKey.length rounded up to 8, plus 8 bytes
 *
 *   wrapKey = HKDF-SHA256(IKM  = KEK (32 bytes),
 *                         salt = salt,
 *                         info = "plugsky local wrap v1" (21 ASCII bytes) || context.encoded(),
 *                         L    = 32)
 * </pre>
 *
 * {@code context.encoded()} is the {@link EncryptionContext} canonical encoding. Binding the
 * context through the derived key means a different context (or KEK, or salt) yields a different
 * wrapKey, so AES-KWP's integrity check fails and unwrap throws {@link
 * AuthenticationFailedException}; the fresh salt also keeps AES-KWP, which is deterministic, from
 * showing that two wraps hold the same data key. Version 1 was written until version 2 replaced it
 * for speed (a fresh HKDF and key-wrap cipher per wrap); it still unwraps.
 *
 * <p>Every call, successful or not, is reported to the {@link AuditSink} as a {@code WRAP} or
 * {@code UNWRAP} event with backend {@code local}, the KeyRef, the data key's length (0 when an
 * unwrap fails before it is known), the latency and the outcome; with no sink ({@link
 * AuditSink#NONE}) no event is built. Thread-safe.
 */
public final class LocalKeyWrapper implements KeyWrapper {
  /** System property naming the key directory when the builder does not. */
  public static final String KEY_DIRECTORY_PROPERTY = "plugsky.crypto.local.keys";

  static final byte VERSION_1 = 1;
  static final byte VERSION_2 = 2;
  static final int V1_SALT_LENGTH = 32;
  static final int V2_SALT_LENGTH = 16;
  static final int V2_COUNTER_LENGTH = 4;

  /** How long a check of a key file stands unless {@link Builder#keyFileRecheck} says otherwise. */
  public static final Duration DEFAULT_KEY_FILE_RECHECK = Duration.ofSeconds(1);

  private static final Duration MAX_KEY_FILE_RECHECK = Duration.ofDays(1);

  /** Wraps one wrap key serves (its counter's range) before a new salt and key are drawn. */
  static final long WRAPS_PER_WRAP_KEY = 1L << 32;

  private static final int GCM_NONCE_LENGTH = 12;
  private static final int GCM_TAG_LENGTH = 16;

  private static final int V1_HEADER_LENGTH = 1 + V1_SALT_LENGTH;
  private static final int V2_HEADER_LENGTH = 1 + V2_SALT_LENGTH + V2_COUNTER_LENGTH;
  private static final int KWP_OVERHEAD = 8;
  private static final byte[] V1_INFO_LABEL =
      "plugsky local wrap v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] V2_INFO = "plugsky local wrap v2".getBytes(StandardCharsets.US_ASCII);
  private static final String BACKEND = "local";

  private final KeyFileStore keyFiles;
  private final AuditSink auditSink;
  private final SymmetricPrimitives primitives;
  private final long wrapsPerWrapKey;
  private final Map<String, WrapKey> wrapKeys = new ConcurrentHashMap<>();

  /** The encoding of the context each thread bound last, GCM's associated data again for it. */
  private final LastEncodedContext associatedData = new LastEncodedContext();

  private LocalKeyWrapper(
      Path keyDirectory,
      Duration keyFileRecheck,
      AuditSink auditSink,
      long wrapsPerWrapKey,
      SymmetricPrimitives primitives) {
    this.keyFiles = new KeyFileStore(keyDirectory, keyFileRecheck.toNanos());
    this.auditSink = auditSink;
    this.wrapsPerWrapKey = wrapsPerWrapKey;
    this.primitives = primitives;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.LOCAL;
  }

  /** Where this wrapper keeps its key files. */
  public Path keyDirectory() {
    return keyFiles.directory();
  }

  @Override
  public WrappedKey wrap(KeyRef keyRef, byte[] dataKey, EncryptionContext context) {
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(dataKey, "dataKey");
    Objects.requireNonNull(context, "context");
    long startNanos = auditSink == AuditSink.NONE ? 0 : System.nanoTime();
    WrappedKey result;
    try {
      LocalKeyRef local = requireLocal(keyRef);
      KeyWrapper.requireDataKeyLength(dataKey.length);
      byte[] wrapped = new byte[V2_HEADER_LENGTH + dataKey.length + GCM_TAG_LENGTH];
      wrapped[0] = VERSION_2;
      WrapKey wrapKey = acquireWrapKey(local.name(), wrapped);
      try {
        wrapKey.aead.encrypt(
            nonceOf(wrapped),
            dataKey,
            0,
            dataKey.length,
            associatedData.encodingOf(context),
            wrapped,
            V2_HEADER_LENGTH);
        result = new WrappedKey(keyRef, wrapped);
      } finally {
        wrapKey.release();
      }
    } catch (RuntimeException e) {
      throw auditFailure(Operation.WRAP, keyRef, dataKey.length, startNanos, e);
    }
    audit(Operation.WRAP, keyRef, dataKey.length, startNanos, Outcome.SUCCESS);
    return result;
  }

  @Override
  public byte[] unwrap(WrappedKey wrappedKey, EncryptionContext context) {
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(context, "context");
    KeyRef keyRef = wrappedKey.keyRef();
    long startNanos = auditSink == AuditSink.NONE ? 0 : System.nanoTime();
    byte[] dataKey;
    try {
      LocalKeyRef local = requireLocal(keyRef);
      byte[] bytes = wrappedKey.bytes();
      dataKey =
          checkStructure(bytes) == VERSION_2
              ? unwrapV2(keyRef, local.name(), bytes, context)
              : unwrapV1(keyRef, local.name(), bytes, context);
    } catch (RuntimeException e) {
      throw auditFailure(Operation.UNWRAP, keyRef, 0, startNanos, e);
    }
    try {
      audit(Operation.UNWRAP, keyRef, dataKey.length, startNanos, Outcome.SUCCESS);
    } catch (RuntimeException sinkFailure) {
      Bytes.zero(dataKey);
      throw sinkFailure;
    }
    return dataKey;
  }

  /**
   * The wrap key for the current version of key file {@code name}, with one reference for the
   * caller, who releases it, and one of its counter values, written with its salt into {@code
   * wrapped}: the shared key while it is for this file version and has wraps left, else a new one
   * under a fresh salt.
   */
  private WrapKey acquireWrapKey(String name, byte[] wrapped) {
    while (true) {
      KeyFileStore.Kek kek = keyFiles.current(name, true);
      WrapKey shared = wrapKeys.get(name);
      if (shared != null && shared.kek == kek && shared.acquire()) {
        if (shared.takeWrap(wrapped)) {
          return shared;
        }
        shared.release();
      }
      WrapKey fresh =
          WrapKey.derive(
              kek, CryptoRandom.bytes(V2_SALT_LENGTH), wrapsPerWrapKey, keyFiles, primitives);
      if (fresh == null) {
        continue; // the file changed since the stat: look again
      }
      boolean published =
          shared == null
              ? wrapKeys.putIfAbsent(name, fresh) == null
              : wrapKeys.replace(name, shared, fresh);
      if (published) {
        if (shared != null) {
          shared.release(); // the map's reference
        }
        fresh.acquire();
        if (fresh.takeWrap(wrapped)) {
          return fresh;
        }
        fresh.release(); // used up already by other callers: draw again
        continue;
      }
      fresh.release(); // another caller published first: use theirs
    }
  }

  private byte[] unwrapV2(KeyRef keyRef, String name, byte[] bytes, EncryptionContext context) {
    for (int attempt = 0; ; attempt++) {
      KeyFileStore.Kek kek = keyFiles.current(name, false);
      WrapKey shared = wrapKeys.get(name);
      if (shared != null && shared.kek != kek && wrapKeys.remove(name, shared)) {
        shared.release(); // derived from a file version that is gone
        shared = null;
      }
      if (shared != null
          && shared.kek == kek
          && Arrays.equals(shared.salt, 0, V2_SALT_LENGTH, bytes, 1, 1 + V2_SALT_LENGTH)
          && shared.acquire()) {
        try {
          return open(keyRef, shared.aead, bytes, context);
        } finally {
          shared.release();
        }
      }
      WrapKey once =
          WrapKey.derive(
              kek, Arrays.copyOfRange(bytes, 1, 1 + V2_SALT_LENGTH), 0, keyFiles, primitives);
      if (once == null) {
        if (attempt < KeyFileStore.READ_ATTEMPTS) {
          continue; // the file changed since the stat: look again
        }
        throw KeyFileStore.changedWhileRead(keyFiles.fileFor(name));
      }
      try {
        return open(keyRef, once.aead, bytes, context);
      } finally {
        once.release();
      }
    }
  }

  /** The GCM nonce of version 2 wrapped bytes: eight zero bytes, then the counter. */
  private static byte[] nonceOf(byte[] wrapped) {
    byte[] nonce = new byte[GCM_NONCE_LENGTH];
    System.arraycopy(
        wrapped,
        1 + V2_SALT_LENGTH,
        nonce,
        GCM_NONCE_LENGTH - V2_COUNTER_LENGTH,
        V2_COUNTER_LENGTH);
    return nonce;
  }

  private byte[] open(
      KeyRef keyRef, InsecureNonceAead aead, byte[] bytes, EncryptionContext context) {
    int sealed = bytes.length - V2_HEADER_LENGTH;
    byte[] dataKey = new byte[sealed - GCM_TAG_LENGTH];
    try {
      aead.decrypt(
          nonceOf(bytes),
          bytes,
          V2_HEADER_LENGTH,
          sealed,
          associatedData.encodingOf(context),
          dataKey,
          0);
    } catch (AuthenticationFailedException e) {
      throw failedIntegrity(keyRef, e);
    }
    return dataKey;
  }

  private byte[] unwrapV1(KeyRef keyRef, String name, byte[] bytes, EncryptionContext context) {
    if (!primitives.supports(KeyWrapMode.AES_KWP)) {
      throw new ConfigurationException(
          "wrapped key under "
              + keyRef
              + " is a version 1 local wrapping (AES-KWP), which the configured engine does not"
              + " implement; unwrap it with an engine that does (jdk, accp, bc-fips, native)");
    }
    byte[] kek = null;
    byte[] wrapKey = null;
    try {
      byte[] salt = Arrays.copyOfRange(bytes, 1, V1_HEADER_LENGTH);
      byte[] wrapped = Arrays.copyOfRange(bytes, V1_HEADER_LENGTH, bytes.length);
      kek = keyFiles.readExisting(name);
      wrapKey = deriveV1WrapKey(kek, salt, context);
      return unwrapChecked(keyRef, wrapKey, wrapped);
    } finally {
      Bytes.zero(kek);
      Bytes.zero(wrapKey);
    }
  }

  private byte[] unwrapChecked(KeyRef keyRef, byte[] wrapKey, byte[] wrapped) {
    byte[] dataKey;
    try {
      dataKey = primitives.unwrapKey(KeyWrapMode.AES_KWP, wrapKey, wrapped);
    } catch (AuthenticationFailedException | MalformedCiphertextException e) {
      // checkStructure has accepted the length, so any refusal now is a failed integrity check:
      // SunJCE reports some of those (a wrong AES-KWP length indicator) as an invalid block size,
      // which the engine maps to MalformedCiphertextException.
      throw failedIntegrity(keyRef, e);
    }
    if (dataKey.length < MIN_DATA_KEY_LENGTH) {
      Bytes.zero(dataKey);
      throw new MalformedCiphertextException(
          "wrapped key under "
              + keyRef
              + " holds a key shorter than "
              + MIN_DATA_KEY_LENGTH
              + " bytes");
    }
    return dataKey;
  }

  private static AuthenticationFailedException failedIntegrity(
      KeyRef keyRef, RuntimeException cause) {
    return new AuthenticationFailedException(
        "unwrap under "
            + keyRef
            + " failed its integrity check: a different key file, a different"
            + " encryption context than at wrap time, or modified wrapped bytes",
        cause);
  }

  /** Checks the version and length of {@code bytes}; returns the version. */
  private static byte checkStructure(byte[] bytes) {
    if (bytes.length == 0) {
      throw new MalformedCiphertextException("local wrapped key is empty");
    }
    byte version = bytes[0];
    if (version != VERSION_1 && version != VERSION_2) {
      throw new MalformedCiphertextException(
          "local wrapped key has format version "
              + Byte.toUnsignedInt(version)
              + "; this library reads versions "
              + VERSION_1
              + " and "
              + VERSION_2);
    }
    int header = version == VERSION_1 ? V1_HEADER_LENGTH : V2_HEADER_LENGTH;
    int overhead = version == VERSION_1 ? KWP_OVERHEAD : GCM_TAG_LENGTH;
    int min = header + MIN_DATA_KEY_LENGTH + overhead;
    int max = header + MAX_DATA_KEY_LENGTH + overhead;
    boolean v1Blocks = version != VERSION_1 || (bytes.length - header) % 8 == 0;
    if (bytes.length < min || bytes.length > max || !v1Blocks) {
      throw new MalformedCiphertextException(
          "local wrapped key is "
              + bytes.length
              + " bytes; version "
              + version
              + " is "
              + min
              + ".."
              + max
              + " bytes"
              + (version == VERSION_1 ? ", 1 + " + V1_SALT_LENGTH + " plus a multiple of 8" : ""));
    }
    return version;
  }

  private byte[] deriveV1WrapKey(byte[] kek, byte[] salt, EncryptionContext context) {
    byte[] encodedContext = context.encoded();
    byte[] info =
        ByteBuffer.allocate(V1_INFO_LABEL.length + encodedContext.length)
            .put(V1_INFO_LABEL)
            .put(encodedContext)
            .array();
    return primitives.hkdfSha256(kek, salt, info, KeyFileStore.KEK_LENGTH);
  }

  /**
   * A version 2 wrap key: derived from one version of a key file under one salt, shared by
   * concurrent wraps, each taking the next counter value, until the counter is used up. Reference
   * counted (the map of current keys holds one, each call in flight one), so that replacing it
   * never destroys it under a call; the last release destroys it.
   */
  private static final class WrapKey {
    final KeyFileStore.Kek kek;
    final byte[] salt;
    final InsecureNonceAead aead;
    private final long wraps;
    private final AtomicLong nextCounter = new AtomicLong();
    private final AtomicInteger references = new AtomicInteger(1);

    private WrapKey(KeyFileStore.Kek kek, byte[] salt, InsecureNonceAead aead, long wraps) {
      this.kek = kek;
      this.salt = salt;
      this.aead = aead;
      this.wraps = wraps;
    }

    /**
     * The key for {@code salt} under {@code kek}, for {@code wraps} wraps (0 for one that only
     * unwraps); null when the file changed since it was read.
     */
    static WrapKey derive(
        KeyFileStore.Kek kek,
        byte[] salt,
        long wraps,
        KeyFileStore keyFiles,
        SymmetricPrimitives primitives) {
      byte[] key = keyFiles.copyOf(kek);
      if (key == null) {
        return null;
      }
      byte[] wrapKey = null;
      try {
        wrapKey = primitives.hkdfSha256(key, salt, V2_INFO, KeyFileStore.KEK_LENGTH);
        return new WrapKey(kek, salt, engine().newInsecureNonceAead(wrapKey), wraps);
      } finally {
        Bytes.zero(key);
        Bytes.zero(wrapKey);
      }
    }

    /** One more reference, unless the last one is already released. */
    boolean acquire() {
      while (true) {
        int held = references.get();
        if (held == 0) {
          return false;
        }
        if (references.compareAndSet(held, held + 1)) {
          return true;
        }
      }
    }

    /**
     * Takes the next counter value and writes the salt and it into {@code wrapped}; false once the
     * counter is used up.
     */
    boolean takeWrap(byte[] wrapped) {
      long counter = nextCounter.getAndIncrement();
      if (counter >= wraps) {
        return false;
      }
      System.arraycopy(salt, 0, wrapped, 1, V2_SALT_LENGTH);
      int at = 1 + V2_SALT_LENGTH;
      wrapped[at] = (byte) (counter >>> 24);
      wrapped[at + 1] = (byte) (counter >>> 16);
      wrapped[at + 2] = (byte) (counter >>> 8);
      wrapped[at + 3] = (byte) counter;
      return true;
    }

    /**
     * The engine for wrap keys: the one {@link Engines#newAead} picks for a message of a data key's
     * size, or the default one when an engine is forced or FIPS mode is on.
     */
    private static AeadEngine engine() {
      String forced = System.getProperty(Engines.ENGINE_PROPERTY);
      if (Boolean.getBoolean(Engines.FIPS_PROPERTY) || (forced != null && !forced.isBlank())) {
        return Engines.defaultEngine();
      }
      return AeadRouting.measured().engineFor(MAX_DATA_KEY_LENGTH, false);
    }

    void release() {
      if (references.decrementAndGet() == 0) {
        aead.close();
      }
    }
  }

  private static LocalKeyRef requireLocal(KeyRef keyRef) {
    if (keyRef instanceof LocalKeyRef local) {
      return local;
    }
    throw new InvalidInputException(
        "the local key wrapper serves local: KeyRefs only, not " + keyRef.scheme().prefix());
  }

  private void audit(
      Operation operation, KeyRef keyRef, int bytes, long startNanos, Outcome outcome) {
    if (auditSink == AuditSink.NONE) {
      return;
    }
    long elapsed = System.nanoTime() - startNanos;
    auditSink.record(
        new AuditEvent(
            Instant.now().minusNanos(elapsed),
            operation,
            Optional.of(keyRef.toString()),
            BACKEND,
            keyRef.region(),
            bytes,
            Duration.ofNanos(elapsed),
            outcome,
            Optional.empty(),
            Optional.empty(),
            Optional.empty()));
  }

  /**
   * Reports a failure; a sink that throws as well is attached to the failure rather than hiding it.
   */
  private RuntimeException auditFailure(
      Operation operation, KeyRef keyRef, int bytes, long startNanos, RuntimeException failure) {
    try {
      audit(operation, keyRef, bytes, startNanos, outcomeOf(failure));
    } catch (RuntimeException sinkFailure) {
      failure.addSuppressed(sinkFailure);
    }
    return failure;
  }

  static Outcome outcomeOf(RuntimeException failure) {
    return switch (failure) {
      case AuthenticationFailedException e -> Outcome.AUTHENTICATION_FAILED;
      case InvalidInputException e -> Outcome.INVALID_INPUT;
      case KeyUnavailableException e -> Outcome.KEY_UNAVAILABLE;
      case KeyAccessDeniedException e -> Outcome.ACCESS_DENIED;
      case ConfigurationException e -> Outcome.CONFIGURATION_ERROR;
      default -> Outcome.ERROR;
    };
  }

  @Override
  public String toString() {
    return "LocalKeyWrapper[keyDirectory=" + keyFiles.directory() + "]";
  }

  /** Configures a {@link LocalKeyWrapper}; every setting has a default. */
  public static final class Builder {
    private Path keyDirectory;
    private Duration keyFileRecheck = DEFAULT_KEY_FILE_RECHECK;
    private AuditSink auditSink = AuditSink.NONE;
    private long wrapsPerWrapKey = WRAPS_PER_WRAP_KEY;
    private SymmetricPrimitives primitives;

    private Builder() {}

    /** Where key files live; overrides {@value #KEY_DIRECTORY_PROPERTY}. */
    public Builder keyDirectory(Path keyDirectory) {
      this.keyDirectory = Objects.requireNonNull(keyDirectory, "keyDirectory");
      return this;
    }

    /**
     * How long a check of a key file against the key kept from it stands, {@link
     * LocalKeyWrapper#DEFAULT_KEY_FILE_RECHECK one second} by default: a file replaced, rewritten,
     * removed or opened up to group or others is noticed by the first call after that. {@link
     * Duration#ZERO} checks on every call, at the price of a {@code stat} per wrap and unwrap (1.7
     * µs on a virtual machine here, more than the rest of a wrap).
     *
     * @throws InvalidInputException when {@code interval} is negative or longer than a day
     */
    public Builder keyFileRecheck(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.compareTo(MAX_KEY_FILE_RECHECK) > 0) {
        throw new InvalidInputException(
            "key file recheck interval must be 0.." + MAX_KEY_FILE_RECHECK + ", not " + interval);
      }
      this.keyFileRecheck = interval;
      return this;
    }

    /** Receives an event per wrap and unwrap; {@link AuditSink#NONE} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    /** Another engine's key wrap and HKDF than the default engine's, for tests. */
    Builder primitives(SymmetricPrimitives primitives) {
      this.primitives = Objects.requireNonNull(primitives, "primitives");
      return this;
    }

    /** Fewer wraps per wrap key than the format's cap, for tests of the key's rotation. */
    Builder wrapsPerWrapKey(long wraps) {
      if (wraps < 1 || wraps > WRAPS_PER_WRAP_KEY) {
        throw new InvalidInputException("wraps per wrap key must be 1.." + WRAPS_PER_WRAP_KEY);
      }
      this.wrapsPerWrapKey = wraps;
      return this;
    }

    /**
     * @throws ConfigurationException when no engine is available for the key wrap and HKDF
     */
    public LocalKeyWrapper build() {
      Path directory = keyDirectory;
      if (directory == null) {
        String property = System.getProperty(KEY_DIRECTORY_PROPERTY);
        directory =
            property == null || property.isBlank()
                ? Path.of(System.getProperty("user.home"), ".plugsky-crypto", "keys")
                : Path.of(property.strip());
      }
      return new LocalKeyWrapper(
          directory.toAbsolutePath(),
          keyFileRecheck,
          auditSink,
          wrapsPerWrapKey,
          primitives != null ? primitives : Engines.defaultEngine().primitives());
    }
  }
}
