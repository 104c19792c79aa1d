package com.plugsky.crypto.envelope;

import com.plugsky.crypto.keyref.KeyRef;
import java.util.Objects;

/** A decrypted message and how it was opened, from {@link Envelope#decryptWithDetails}. */
public final class DecryptionResult {
  private final byte[] plaintext;
  private final KeyRef openedBy;
  private final EnvelopeHeader header;

  DecryptionResult(byte[] plaintext, KeyRef openedBy, EnvelopeHeader header) {
    this.plaintext = Objects.requireNonNull(plaintext, "plaintext");
    this.openedBy = Objects.requireNonNull(openedBy, "openedBy");
    this.header = Objects.requireNonNull(header, "header");
  }

  /** The plaintext itself, not a copy: the caller owns it and may zero it after use. */
  public byte[] plaintext() {
    return plaintext;
  }

  /** The key-encryption key whose wrapping opened the message, e.g. the local region's. */
  public KeyRef openedBy() {
    return openedBy;
  }

  /** The message's header, authenticated. */
  public EnvelopeHeader header() {
    return header;
  }

  /** Names the KEK and the sizes; never the plaintext. */
  @Override
  public String toString() {
    return "DecryptionResult[" + plaintext.length + " bytes, openedBy=" + openedBy + "]";
  }
}
