package com.plugsky.crypto.keywrap;

import com.plugsky.crypto.keyref.KeyRef;
import java.util.Arrays;
import java.util.Objects;

/**
 * A data key wrapped under the key-encryption key {@code keyRef} names. The bytes are the backend's
 * own format (see each {@link KeyWrapper}); they are not secret, but are copied in and out so that
 * no holder can change what another reads.
 *
 * @param keyRef the key-encryption key that unwraps it
 * @param bytes the wrapped data key
 */
public record WrappedKey(KeyRef keyRef, byte[] bytes) {

  public WrappedKey {
    Objects.requireNonNull(keyRef, "keyRef");
    bytes = Objects.requireNonNull(bytes, "bytes").clone();
  }

  /** The wrapped bytes; a fresh copy. */
  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** The number of wrapped bytes, without copying them. */
  public int length() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof WrappedKey that
        && keyRef.equals(that.keyRef)
        && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * keyRef.hashCode() + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "WrappedKey[keyRef=" + keyRef + ", " + bytes.length + " bytes]";
  }
}
