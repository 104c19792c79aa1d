package com.plugsky.crypto.envelope;

import com.plugsky.crypto.context.EncryptionContext;
import java.util.List;
import java.util.Objects;

/**
 * What a message header says, read without any key ({@link Envelope#inspect(byte[])}): for
 * operators and tools. Nothing here is secret, and nothing here is authenticated until the message
 * is decrypted.
 *
 * @param version the format version (2, or 1 for messages written before version 2)
 * @param suite the algorithm suite (2 in version 2, 1 in version 1: AES-256-GCM frames,
 *     HKDF-SHA256 key schedule, HMAC-SHA256 commitment; docs/FORMAT.md)
 * @param messageId the 256-bit message id, lower-case hex
 * @param context the encryption context stored in the header
 * @param wrappedKeys the data key's wrappings, in header order
 * @param frameSize plaintext bytes per frame
 * @param headerLength the header's length in bytes; the body starts there
 */
public record EnvelopeHeader(
    int version,
    int suite,
    String messageId,
    EncryptionContext context,
    List<WrappedKeyInfo> wrappedKeys,
    int frameSize,
    int headerLength) {

  public EnvelopeHeader {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(context, "context");
    wrappedKeys = List.copyOf(wrappedKeys);
  }

  /**
   * One wrapping of the data key.
   *
   * @param keyRef the KeyRef URI as written, which may name a scheme this library does not know
   * @param length the wrapped key's length in bytes
   */
  public record WrappedKeyInfo(String keyRef, int length) {
    public WrappedKeyInfo {
      Objects.requireNonNull(keyRef, "keyRef");
    }
  }
}
