package com.plugsky.crypto.envelope;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.util.Arrays;

/**
 * The two keys of one message (docs/FORMAT.md, key schedules): in suite 1 both come from the data
 * key and message id; in suite 2 the header key is per data key and the payload key per message.
 * Closing zeroes the payload key and releases the header key (zeroed once nothing else holds it).
 */
final class MessageKeys implements AutoCloseable {
  private static final int KEY_LENGTH = 32;

  private final byte[] payloadKey;
  private final KeyedHmac headerTags;
  private final Runnable releaseHeaderTags;

  private MessageKeys(byte[] payloadKey, KeyedHmac headerTags, Runnable releaseHeaderTags) {
    this.payloadKey = payloadKey;
    this.headerTags = headerTags;
    this.releaseHeaderTags = releaseHeaderTags;
  }

  /**
   * Derives the keys; the caller keeps ownership of {@code dataKey}.
   *
   * @throws MalformedCiphertextException when the data key is not 32 bytes (a wrapping of a key of
   *     another length)
   */
  static MessageKeys derive(
      int suite, byte[] dataKey, byte[] messageId, SymmetricPrimitives primitives) {
    if (suite == Format.SUITE_2) {
      try (DataKeySecrets secrets = DataKeySecrets.derive(dataKey, primitives, false)) {
        return forMessage(secrets, messageId);
      }
    }
    checkDataKeyLength(dataKey);
    byte[] okm =
        primitives.hkdfSha256(dataKey, messageId, Format.KEY_SCHEDULE_INFO, 2 * KEY_LENGTH);
    try {
      KeyedHmac headerTags =
          KeyedHmac.of(Arrays.copyOfRange(okm, KEY_LENGTH, 2 * KEY_LENGTH), primitives, false);
      return new MessageKeys(Arrays.copyOfRange(okm, 0, KEY_LENGTH), headerTags, headerTags::close);
    } finally {
      Bytes.zero(okm);
    }
  }

  /**
   * Suite 2: the keys of one message under a data key whose secrets are already derived; holds a
   * reference to {@code secrets} until closed.
   */
  static MessageKeys forMessage(DataKeySecrets secrets, byte[] messageId) {
    byte[] payloadKey = secrets.payloadKey(messageId);
    return new MessageKeys(payloadKey, secrets.headerTags(), secrets.retain()::close);
  }

  static void checkDataKeyLength(byte[] dataKey) {
    if (dataKey.length != Format.DATA_KEY_LENGTH) {
      throw new MalformedCiphertextException(
          "the wrapped data key is "
              + dataKey.length
              + " bytes; envelope messages use "
              + Format.DATA_KEY_LENGTH);
    }
  }

  /** The AES-256-GCM key of every frame; the array itself, not a copy: do not keep it. */
  byte[] payloadKey() {
    return payloadKey;
  }

  /** The MAC of the header tag, under the header key. */
  KeyedHmac headerTags() {
    return headerTags;
  }

  @Override
  public void close() {
    Bytes.zero(payloadKey);
    releaseHeaderTags.run();
  }
}
