package com.plugsky.crypto.envelope;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What suite 2 derives once per data key (docs/FORMAT.md, suite 2): the HKDF pseudorandom key and
 * the header key, each ready as a {@link KeyedHmac}. A data-key cache keeps these instead of the
 * data key, so that a message under a cached key costs one HMAC for its payload key and one for its
 * header tag, with no key set-up and no allocation.
 *
 * <p>Shared by reference count: whoever holds one (the cache, each message being encrypted) owns a
 * reference and closes it once; the keys are zeroed when the last reference is closed, so evicting
 * a cache entry never pulls the keys from under a message in flight.
 */
final class DataKeySecrets implements AutoCloseable {
  /** The header label then the HKDF block counter 01; read only. */
  private static final byte[] HEADER_KEY_INFO =
      Arrays.copyOf(Format.SUITE_2_HEADER_INFO, Format.SUITE_2_HEADER_INFO.length + 1);

  static {
    HEADER_KEY_INFO[HEADER_KEY_INFO.length - 1] = 1;
  }

  /** Per thread: the payload label, room for a message id, then the HKDF block counter 01. */
  private static final ThreadLocal<byte[]> PAYLOAD_INFO =
      ThreadLocal.withInitial(
          () -> {
            byte[] label = Format.SUITE_2_PAYLOAD_INFO;
            byte[] info = Arrays.copyOf(label, label.length + Format.MESSAGE_ID_LENGTH + 1);
            info[info.length - 1] = 1;
            return info;
          });

  /**
   * HKDF-Extract under the suite's fixed, public salt, with its pads held once for all data keys:
   * they derive from no secret, so they are never zeroed.
   */
  private static final KeyedHmac EXTRACT_WITH_HELD_PADS =
      KeyedHmac.of(Format.SUITE_2_SALT.clone(), null, true);

  private final byte[] headerKey;
  private final KeyedHmac payloadKeys;
  private final KeyedHmac headerTags;
  private final AtomicInteger references = new AtomicInteger(1);

  private DataKeySecrets(
      KeyedHmac payloadKeys, byte[] headerKey, SymmetricPrimitives primitives, boolean heldPads) {
    this.headerKey = headerKey;
    this.payloadKeys = payloadKeys;
    this.headerTags = KeyedHmac.of(headerKey.clone(), primitives, heldPads);
  }

  /** Takes ownership of both arrays; for tests that need to see them zeroed. */
  static DataKeySecrets of(byte[] prk, byte[] headerKey, SymmetricPrimitives primitives) {
    return new DataKeySecrets(KeyedHmac.of(prk, primitives, true), headerKey, primitives, true);
  }

  /**
   * HKDF-Extract of the data key, then the header key; the caller keeps ownership of {@code
   * dataKey}. {@code heldPads} unless the engine is FIPS approved (see {@link KeyedHmac}).
   *
   * @throws MalformedCiphertextException when the data key is not 32 bytes (a wrapping of a key of
   *     another length)
   */
  static DataKeySecrets derive(
      byte[] dataKey, SymmetricPrimitives primitives, boolean heldPads) {
    MessageKeys.checkDataKeyLength(dataKey);
    byte[] prk = new byte[KeyedHmac.LENGTH];
    if (heldPads) {
      EXTRACT_WITH_HELD_PADS.mac(dataKey, 0, dataKey.length, prk, 0);
    } else {
      try (KeyedHmac extract = KeyedHmac.of(Format.SUITE_2_SALT.clone(), primitives, false)) {
        extract.mac(dataKey, 0, dataKey.length, prk, 0);
      }
    }
    // The PRK keys both the header key's expansion and every payload key's: one set-up for both.
    KeyedHmac payloadKeys = KeyedHmac.of(prk, primitives, heldPads);
    byte[] headerKey = new byte[KeyedHmac.LENGTH];
    payloadKeys.mac(HEADER_KEY_INFO, 0, HEADER_KEY_INFO.length, headerKey, 0);
    return new DataKeySecrets(payloadKeys, headerKey, primitives, heldPads);
  }

  /**
   * Writes the payload key of the message whose id is at {@code messageId[idOffset]} into {@code
   * out} (32 bytes): one HKDF-Expand block, whose info is the payload label, the id and 01.
   */
  void payloadKey(byte[] messageId, int idOffset, byte[] out) {
    byte[] info = PAYLOAD_INFO.get();
    System.arraycopy(
        messageId, idOffset, info, Format.SUITE_2_PAYLOAD_INFO.length, Format.MESSAGE_ID_LENGTH);
    payloadKeys.mac(info, 0, info.length, out, 0);
  }

  /** The payload key of the message {@code messageId}, in a new array the caller zeroes. */
  byte[] payloadKey(byte[] messageId) {
    byte[] key = new byte[KeyedHmac.LENGTH];
    payloadKey(messageId, 0, key);
    return key;
  }

  /** The MAC of header tags: over every header byte before the tag. */
  KeyedHmac headerTags() {
    return headerTags;
  }

  /** The HMAC-SHA256 key of the header tag; the array itself, not a copy: do not keep it. */
  byte[] headerKey() {
    return headerKey;
  }

  /** One more reference, which the caller closes; only while the caller's own is open. */
  DataKeySecrets retain() {
    if (references.getAndIncrement() <= 0) {
      throw new IllegalStateException("data key secrets retained after their last close");
    }
    return this;
  }

  /** Closes one reference; the last one zeroes the keys. */
  @Override
  public void close() {
    if (references.decrementAndGet() == 0) {
      Bytes.zero(headerKey);
      payloadKeys.close();
      headerTags.close();
    }
  }
}
