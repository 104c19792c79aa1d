package com.plugsky.crypto.keywrap;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;

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
}
