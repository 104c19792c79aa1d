package com.plugsky.crypto.keywrap;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.util.Arrays;

/**
 * Wraps and unwraps data keys under key-encryption keys of one {@link KeyRefScheme}, with an {@link
 * EncryptionContext} bound in: unwrapping succeeds only with the context used to wrap. Backends
 * bind it natively where they can (KMS encryption context, AAD) and by deriving the wrapping key
 * from it where they cannot.
 *
 * <p>Failures are typed: {@link com.plugsky.crypto.AuthenticationFailedException} for a wrong key,
 * wrong context or modified wrapped bytes; {@link com.plugsky.crypto.MalformedCiphertextException}
 * for wrapped bytes this wrapper cannot have produced; {@link
 * com.plugsky.crypto.KeyUnavailableException} (retryable) when the backend cannot be reached;
 * {@link com.plugsky.crypto.KeyAccessDeniedException} when it refuses; {@link
 * com.plugsky.crypto.InvalidInputException} for bad arguments; {@link
 * com.plugsky.crypto.ConfigurationException} when the wrapper is set up wrongly.
 *
 * <p>Implementations are thread-safe, audit every call, and never put key material in messages,
 * logs or {@code toString()}. Find one with {@link KeyWrappers#forKeyRef(KeyRef)}.
 */
public interface KeyWrapper {
  /** Shortest data key accepted: AES-128. */
  int MIN_DATA_KEY_LENGTH = 16;

  /** Longest data key accepted: room for two 256-bit keys (e.g. AES-SIV, or key plus MAC key). */
  int MAX_DATA_KEY_LENGTH = 64;

  /**
   * Refuses a data key length outside {@value #MIN_DATA_KEY_LENGTH}..{@value
   * #MAX_DATA_KEY_LENGTH}, the check every wrapper makes before it calls its backend.
   *
   * @throws InvalidInputException when {@code length} is out of range
   */
  static void requireDataKeyLength(int length) {
    if (length < MIN_DATA_KEY_LENGTH || length > MAX_DATA_KEY_LENGTH) {
      throw new InvalidInputException(
          "data key must be " + MIN_DATA_KEY_LENGTH + ".." + MAX_DATA_KEY_LENGTH + " bytes, got " + length);
    }
  }

  /** The kind of KeyRef this wrapper serves. */
  KeyRefScheme scheme();

  /**
   * Wraps {@code dataKey} ({@value #MIN_DATA_KEY_LENGTH}..{@value #MAX_DATA_KEY_LENGTH} bytes)
   * under the key {@code keyRef} names. The caller keeps ownership of {@code dataKey}.
   */
  WrappedKey wrap(KeyRef keyRef, byte[] dataKey, EncryptionContext context);

  /**
   * Recovers the data key from {@code wrappedKey}, under the key its KeyRef names. The caller owns
   * the returned array and should zero it after use.
   */
  byte[] unwrap(WrappedKey wrappedKey, EncryptionContext context);

  /**
   * A fresh random data key of {@code length} bytes together with its wrapping under {@code keyRef}.
   * Backends that can create and wrap a key in one call (AWS KMS GenerateDataKey) override this to
   * save a round trip; the default draws the key from {@link CryptoRandom#nextKey} and calls
   * {@link #wrap}. The caller owns the returned key and should {@link DataKey#close() close} it
   * after use.
   */
  default DataKey generateDataKey(KeyRef keyRef, int length, EncryptionContext context) {
    byte[] plaintextKey = new byte[length];
    try {
      CryptoRandom.nextKey(plaintextKey);
      return DataKey.owning(plaintextKey, wrap(keyRef, plaintextKey, context));
    } catch (RuntimeException e) {
      Arrays.fill(plaintextKey, (byte) 0);
      throw e;
    }
  }

  /**
   * Moves {@code wrappedKey} under {@code target} (the same key at its newest version, or another
   * key of this scheme) without the caller seeing the data key. Backends with a server-side
   * re-encrypt (AWS KMS ReEncrypt, Vault transit rewrap) override this so the data key never leaves
   * the service; the default unwraps and wraps here, zeroing the data key in between.
   */
  default WrappedKey rewrap(WrappedKey wrappedKey, KeyRef target, EncryptionContext context) {
    byte[] plaintextKey = unwrap(wrappedKey, context);
    try {
      return wrap(target, plaintextKey, context);
    } finally {
      Arrays.fill(plaintextKey, (byte) 0);
    }
  }
}
