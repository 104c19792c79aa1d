package com.plugsky.crypto.envelope;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.util.Arrays;

/**
 * The keys of one message (docs/FORMAT.md, key schedules): its payload key, and what seals its
 * header. In suite 1 both come from the data key and message id; in suites 2 and 3 the header's
 * last field (header tag key, key commitment) is per data key and the payload key per message.
 * Closing zeroes the payload key and releases the per-data-key part (zeroed once nothing else holds
 * it).
 */
final class MessageKeys implements HeaderSealer, AutoCloseable {
  private static final int KEY_LENGTH = 32;

  private final byte[] payloadKey;
  /** Suites 2 and 3: the per-data-key secrets this holds a reference to; else null. */
  private final DataKeySecrets secrets;
  /** Suite 1: the header tag's MAC, this message's own; else null. */
  private final KeyedHmac headerTags;

  private MessageKeys(byte[] payloadKey, DataKeySecrets secrets, KeyedHmac headerTags) {
    this.payloadKey = payloadKey;
    this.secrets = secrets;
    this.headerTags = headerTags;
  }

  /**
   * Derives the keys; the caller keeps ownership of {@code dataKey}.
   *
   * @throws MalformedCiphertextException when the data key is not 32 bytes (a wrapping of a key of
   *     another length)
   */
  static MessageKeys derive(
      int suite, byte[] dataKey, byte[] messageId, SymmetricPrimitives primitives) {
    if (suite != Format.SUITE_1) {
      try (DataKeySecrets secrets =
          DataKeySecrets.derive(suite, dataKey, primitives, KeyedHmac.Form.THROUGH_ENGINE)) {
        return forMessage(secrets, messageId, 0, new byte[KEY_LENGTH]);
      }
    }
    checkDataKeyLength(dataKey);
    byte[] okm =
        primitives.hkdfSha256(dataKey, messageId, Format.KEY_SCHEDULE_INFO, 2 * KEY_LENGTH);
    try {
      KeyedHmac headerTags =
          KeyedHmac.of(
              Arrays.copyOfRange(okm, KEY_LENGTH, 2 * KEY_LENGTH),
              primitives,
              KeyedHmac.Form.THROUGH_ENGINE);
      return new MessageKeys(Arrays.copyOfRange(okm, 0, KEY_LENGTH), null, headerTags);
    } finally {
      Bytes.zero(okm);
    }
  }

  /**
   * Suites 2 and 3: the keys of one message under a data key whose secrets are already derived;
   * holds a reference to {@code secrets} until closed.
   */
  static MessageKeys forMessage(DataKeySecrets secrets, byte[] messageId) {
    return forMessage(secrets, messageId, 0, new byte[KEY_LENGTH]);
  }

  /**
   * {@link #forMessage(DataKeySecrets, byte[])} for the message id at {@code messageId[idOffset]},
   * writing the payload key into {@code payloadKey} (32 bytes), which closing zeroes: a caller that
   * uses the key at once can lend a scratch array instead of allocating one per message.
   */
  static MessageKeys forMessage(
      DataKeySecrets secrets, byte[] messageId, int idOffset, byte[] payloadKey) {
    DataKeySecrets retained = secrets.retain();
    try {
      secrets.payloadKey(messageId, idOffset, payloadKey);
    } catch (RuntimeException e) {
      Bytes.zero(payloadKey);
      retained.close();
      throw e;
    }
    return new MessageKeys(payloadKey, retained, null);
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

  @Override
  public void writeLastField(
      byte[] header, int contextEnd, int length, byte[] out, int outOffset) {
    if (secrets != null) {
      secrets.writeLastField(header, contextEnd, length, out, outOffset);
    } else {
      headerTags.mac(header, 0, length, out, outOffset);
    }
  }

  @Override
  public boolean lastFieldMatches(byte[] header, int contextEnd, int length) {
    return secrets != null
        ? secrets.lastFieldMatches(header, contextEnd, length)
        : HeaderSealer.super.lastFieldMatches(header, contextEnd, length);
  }

  @Override
  public void close() {
    Bytes.zero(payloadKey);
    if (secrets != null) {
      secrets.close();
    } else {
      headerTags.close();
    }
  }
}
