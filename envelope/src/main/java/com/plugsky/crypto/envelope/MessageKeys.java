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
  private final HeaderSealer headerSealer;
  private final Runnable releaseHeaderSealer;

  private MessageKeys(byte[] payloadKey, HeaderSealer headerSealer, Runnable releaseHeaderSealer) {
    this.payloadKey = payloadKey;
    this.headerSealer = headerSealer;
    this.releaseHeaderSealer = releaseHeaderSealer;
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
        return forMessage(secrets, messageId);
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
      return new MessageKeys(
          Arrays.copyOfRange(okm, 0, KEY_LENGTH),
          (header, contextEnd, length, out, outOffset) ->
              headerTags.mac(header, 0, length, out, outOffset),
          headerTags::close);
    } finally {
      Bytes.zero(okm);
    }
  }

  /**
   * Suites 2 and 3: the keys of one message under a data key whose secrets are already derived;
   * holds a reference to {@code secrets} until closed.
   */
  static MessageKeys forMessage(DataKeySecrets secrets, byte[] messageId) {
    return forMessage(secrets, messageId, 0);
  }

  /** {@link #forMessage(DataKeySecrets, byte[])} for the message id at {@code messageId[idOffset]}. */
  static MessageKeys forMessage(DataKeySecrets secrets, byte[] messageId, int idOffset) {
    byte[] payloadKey = new byte[KEY_LENGTH];
    secrets.payloadKey(messageId, idOffset, payloadKey);
    return new MessageKeys(payloadKey, secrets, secrets.retain()::close);
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
    headerSealer.writeLastField(header, contextEnd, length, out, outOffset);
  }

  @Override
  public boolean lastFieldMatches(byte[] header, int contextEnd, int length) {
    return headerSealer.lastFieldMatches(header, contextEnd, length);
  }

  @Override
  public void close() {
    Bytes.zero(payloadKey);
    releaseHeaderSealer.run();
  }
}
