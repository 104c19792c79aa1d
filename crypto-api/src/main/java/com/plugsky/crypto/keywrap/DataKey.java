package com.plugsky.crypto.keywrap;

import java.util.Arrays;
import java.util.Objects;

/**
 * A data key in the clear together with its wrapping, as {@link KeyWrapper#generateDataKey}
 * returns it. The plaintext key is held in a private copy that {@link #close()} zeroes; after
 * closing, {@link #plaintextKey()} refuses.
 */
public final class DataKey implements AutoCloseable {
  private final byte[] plaintextKey;
  private final WrappedKey wrappedKey;
  private volatile boolean closed;

  /** Copies {@code plaintextKey}; the caller keeps (and should zero) its own array. */
  public DataKey(byte[] plaintextKey, WrappedKey wrappedKey) {
    this(wrappedKey, Objects.requireNonNull(plaintextKey, "plaintextKey").clone());
  }

  private DataKey(WrappedKey wrappedKey, byte[] ownKey) {
    this.wrappedKey = Objects.requireNonNull(wrappedKey, "wrappedKey");
    KeyWrapper.requireDataKeyLength(ownKey.length);
    this.plaintextKey = ownKey;
  }

  /**
   * Takes {@code plaintextKey} itself, which nobody else holds, rather than a copy of it: for a key
   * made in this package, so that it never exists twice.
   */
  static DataKey owning(byte[] plaintextKey, WrappedKey wrappedKey) {
    return new DataKey(wrappedKey, plaintextKey);
  }

  /** A copy of the key in the clear; zero it after use. */
  public byte[] plaintextKey() {
    if (closed) {
      throw new IllegalStateException("data key is closed");
    }
    return plaintextKey.clone();
  }

  /** The key wrapped under the key-encryption key. */
  public WrappedKey wrappedKey() {
    return wrappedKey;
  }

  /** Zeroes the plaintext key. */
  @Override
  public void close() {
    closed = true;
    Arrays.fill(plaintextKey, (byte) 0);
  }

  @Override
  public String toString() {
    return "DataKey[" + plaintextKey.length + " bytes, " + wrappedKey + "]";
  }
}
