package com.plugsky.crypto.keywrap.local;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.context.EncryptionContext;
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
import java.util.Objects;
import java.util.Optional;

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
 * could read it can unwrap every data key under it. A missing file on unwrap is a {@link
 * KeyUnavailableException}. The KEK is kept in memory after the first read and checked against the
 * file's inode, size, modification time and permissions on every call (one {@code stat}), so a
 * changed, replaced or removed file is read again or refused; each call's copy is zeroed after it,
 * as are the keys derived from it.
 *
 * <h2>Wrapped bytes, version 1</h2>
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
 * {@code context.encoded()} is the {@link EncryptionContext} canonical encoding. A 32-byte data key
 * wraps to 73 bytes. Binding the context through the derived key means a different context (or KEK,
 * or salt) yields a different wrapKey, so AES-KWP's integrity check fails and unwrap throws {@link
 * AuthenticationFailedException}; the fresh salt also keeps AES-KWP, which is deterministic, from
 * showing that two wraps hold the same data key.
 *
 * <p>Every call, successful or not, is reported to the {@link AuditSink} as a {@code WRAP} or
 * {@code UNWRAP} event with backend {@code local}, the KeyRef, the data key's length (0 when an
 * unwrap fails before it is known), the latency and the outcome. Thread-safe.
 */
public final class LocalKeyWrapper implements KeyWrapper {
  /** System property naming the key directory when the builder does not. */
  public static final String KEY_DIRECTORY_PROPERTY = "plugsky.crypto.local.keys";

  static final byte FORMAT_VERSION = 1;
  static final int SALT_LENGTH = 32;
  private static final int HEADER_LENGTH = 1 + SALT_LENGTH;
  private static final int KWP_OVERHEAD = 8;
  private static final byte[] INFO_LABEL =
      "plugsky local wrap v1".getBytes(StandardCharsets.US_ASCII);
  private static final String BACKEND = "local";

  private final KeyFileStore keyFiles;
  private final AuditSink auditSink;
  private final SymmetricPrimitives primitives;

  private LocalKeyWrapper(Path keyDirectory, AuditSink auditSink) {
    this.keyFiles = new KeyFileStore(keyDirectory);
    this.auditSink = auditSink;
    this.primitives = Engines.defaultEngine().primitives();
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
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    WrappedKey result;
    byte[] kek = null;
    byte[] wrapKey = null;
    try {
      LocalKeyRef local = requireLocal(keyRef);
      KeyWrapper.requireDataKeyLength(dataKey.length);
      byte[] salt = CryptoRandom.bytes(SALT_LENGTH);
      kek = keyFiles.readOrCreate(local.name());
      wrapKey = deriveWrapKey(kek, salt, context);
      byte[] wrapped = primitives.wrapKey(KeyWrapMode.AES_KWP, wrapKey, dataKey);
      result =
          new WrappedKey(
              keyRef,
              ByteBuffer.allocate(HEADER_LENGTH + wrapped.length)
                  .put(FORMAT_VERSION)
                  .put(salt)
                  .put(wrapped)
                  .array());
    } catch (RuntimeException e) {
      throw auditFailure(Operation.WRAP, keyRef, dataKey.length, started, startNanos, e);
    } finally {
      Bytes.zero(kek);
      Bytes.zero(wrapKey);
    }
    audit(Operation.WRAP, keyRef, dataKey.length, started, startNanos, Outcome.SUCCESS);
    return result;
  }

  @Override
  public byte[] unwrap(WrappedKey wrappedKey, EncryptionContext context) {
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(context, "context");
    KeyRef keyRef = wrappedKey.keyRef();
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    byte[] dataKey;
    byte[] kek = null;
    byte[] wrapKey = null;
    try {
      LocalKeyRef local = requireLocal(keyRef);
      byte[] bytes = wrappedKey.bytes();
      checkStructure(bytes);
      byte[] salt = Arrays.copyOfRange(bytes, 1, HEADER_LENGTH);
      byte[] wrapped = Arrays.copyOfRange(bytes, HEADER_LENGTH, bytes.length);
      kek = keyFiles.readExisting(local.name());
      wrapKey = deriveWrapKey(kek, salt, context);
      dataKey = unwrapChecked(keyRef, wrapKey, wrapped);
    } catch (RuntimeException e) {
      throw auditFailure(Operation.UNWRAP, keyRef, 0, started, startNanos, e);
    } finally {
      Bytes.zero(kek);
      Bytes.zero(wrapKey);
    }
    try {
      audit(Operation.UNWRAP, keyRef, dataKey.length, started, startNanos, Outcome.SUCCESS);
    } catch (RuntimeException sinkFailure) {
      Bytes.zero(dataKey);
      throw sinkFailure;
    }
    return dataKey;
  }

  private byte[] unwrapChecked(KeyRef keyRef, byte[] wrapKey, byte[] wrapped) {
    byte[] dataKey;
    try {
      dataKey = primitives.unwrapKey(KeyWrapMode.AES_KWP, wrapKey, wrapped);
    } catch (AuthenticationFailedException | MalformedCiphertextException e) {
      // checkStructure has accepted the length, so any refusal now is a failed integrity check:
      // SunJCE reports some of those (a wrong AES-KWP length indicator) as an invalid block size,
      // which the engine maps to MalformedCiphertextException.
      throw new AuthenticationFailedException(
          "unwrap under "
              + keyRef
              + " failed its integrity check: a different key file, a different"
              + " encryption context than at wrap time, or modified wrapped bytes",
          e);
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

  private static void checkStructure(byte[] bytes) {
    int min = HEADER_LENGTH + MIN_DATA_KEY_LENGTH + KWP_OVERHEAD;
    int max = HEADER_LENGTH + MAX_DATA_KEY_LENGTH + KWP_OVERHEAD;
    if (bytes.length == 0) {
      throw new MalformedCiphertextException("local wrapped key is empty");
    }
    if (bytes[0] != FORMAT_VERSION) {
      throw new MalformedCiphertextException(
          "local wrapped key has format version "
              + Byte.toUnsignedInt(bytes[0])
              + "; this library reads version "
              + FORMAT_VERSION);
    }
    if (bytes.length < min || bytes.length > max || (bytes.length - HEADER_LENGTH) % 8 != 0) {
      throw new MalformedCiphertextException(
          "local wrapped key is "
              + bytes.length
              + " bytes; version "
              + FORMAT_VERSION
              + " is "
              + min
              + ".."
              + max
              + " bytes, 1 + "
              + SALT_LENGTH
              + " plus a multiple of 8");
    }
  }

  private byte[] deriveWrapKey(byte[] kek, byte[] salt, EncryptionContext context) {
    byte[] encodedContext = context.encoded();
    byte[] info =
        ByteBuffer.allocate(INFO_LABEL.length + encodedContext.length)
            .put(INFO_LABEL)
            .put(encodedContext)
            .array();
    return primitives.hkdfSha256(kek, salt, info, KeyFileStore.KEK_LENGTH);
  }

  private static LocalKeyRef requireLocal(KeyRef keyRef) {
    if (keyRef instanceof LocalKeyRef local) {
      return local;
    }
    throw new InvalidInputException(
        "the local key wrapper serves local: KeyRefs only, not " + keyRef.scheme().prefix());
  }

  private void audit(
      Operation operation,
      KeyRef keyRef,
      int bytes,
      Instant started,
      long startNanos,
      Outcome outcome) {
    auditSink.record(
        new AuditEvent(
            started,
            operation,
            Optional.of(keyRef.toString()),
            BACKEND,
            keyRef.region(),
            bytes,
            Duration.ofNanos(System.nanoTime() - startNanos),
            outcome,
            Optional.empty(),
            Optional.empty(),
            Optional.empty()));
  }

  /**
   * Reports a failure; a sink that throws as well is attached to the failure rather than hiding it.
   */
  private RuntimeException auditFailure(
      Operation operation,
      KeyRef keyRef,
      int bytes,
      Instant started,
      long startNanos,
      RuntimeException failure) {
    try {
      audit(operation, keyRef, bytes, started, startNanos, outcomeOf(failure));
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
    private AuditSink auditSink = AuditSink.NONE;

    private Builder() {}

    /** Where key files live; overrides {@value #KEY_DIRECTORY_PROPERTY}. */
    public Builder keyDirectory(Path keyDirectory) {
      this.keyDirectory = Objects.requireNonNull(keyDirectory, "keyDirectory");
      return this;
    }

    /** Receives an event per wrap and unwrap; {@link AuditSink#NONE} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
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
      return new LocalKeyWrapper(directory.toAbsolutePath(), auditSink);
    }
  }
}
