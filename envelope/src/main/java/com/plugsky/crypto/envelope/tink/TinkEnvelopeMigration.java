package com.plugsky.crypto.envelope.tink;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AeadParameters;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.primitive.Bytes;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * Reads Tink {@code KmsEnvelopeAead} ciphertexts and moves them into this library's message format:
 * a migration path off Tink envelopes, one message at a time.
 *
 * <p>A KmsEnvelopeAead ciphertext is {@code u32 length || encrypted data key || payload}, the data
 * key encrypted by the KEK's Tink {@link Aead} (a cloud KMS, or {@link KeyWrapperKmsClient} for any
 * KeyRef) and the payload by the data key under the DEK parameters the writer chose (usually
 * {@code PredefinedAeadParameters.AES256_GCM}). Reading it needs that KEK and those parameters;
 * Tink itself opens it, so every variant Tink writes is read. The payload's plaintext lives here
 * only between the two steps of {@link #toEnvelope} and is zeroed after.
 */
public final class TinkEnvelopeMigration {
  private static final int LENGTH_PREFIX = 4;

  private final Aead reader;

  private TinkEnvelopeMigration(Aead reader) {
    this.reader = reader;
  }

  /**
   * A reader of ciphertexts whose data keys were encrypted by {@code kek}, with data keys of
   * {@code dekParameters}.
   *
   * @throws ConfigurationException when Tink refuses the parameters
   */
  public static TinkEnvelopeMigration of(Aead kek, AeadParameters dekParameters) {
    Objects.requireNonNull(kek, "kek");
    Objects.requireNonNull(dekParameters, "dekParameters");
    try {
      AeadConfig.register();
      return new TinkEnvelopeMigration(KmsEnvelopeAead.create(dekParameters, kek));
    } catch (GeneralSecurityException e) {
      throw new ConfigurationException(
          "Tink refuses these data key parameters for KmsEnvelopeAead: " + e.getMessage(), e);
    }
  }

  /**
   * The plaintext of a KmsEnvelopeAead ciphertext, written with {@code associatedData}.
   *
   * @throws MalformedCiphertextException when the bytes cannot be a KmsEnvelopeAead ciphertext
   * @throws AuthenticationFailedException when the KEK, the associated data or any byte is wrong
   */
  public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    Objects.requireNonNull(associatedData, "associatedData");
    checkStructure(ciphertext);
    try {
      return reader.decrypt(ciphertext, associatedData);
    } catch (GeneralSecurityException e) {
      throw new AuthenticationFailedException(
          "the Tink envelope does not decrypt: another KEK, other associated data, or modified"
              + " bytes",
          e);
    }
  }

  /**
   * The same plaintext as a message of {@code target} under {@code context}: the Tink ciphertext
   * is decrypted and the plaintext encrypted again under a fresh data key, wrapped under every KEK
   * of {@code target}. Nothing is left in the clear.
   */
  public byte[] toEnvelope(
      byte[] ciphertext, byte[] associatedData, Envelope target, EncryptionContext context) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(context, "context");
    byte[] plaintext = decrypt(ciphertext, associatedData);
    try {
      return target.encrypt(plaintext, context);
    } finally {
      Bytes.zero(plaintext);
    }
  }

  private static void checkStructure(byte[] ciphertext) {
    if (ciphertext.length < LENGTH_PREFIX) {
      throw new MalformedCiphertextException(
          "a Tink envelope ciphertext starts with a 4-byte length; this one has "
              + ciphertext.length
              + " bytes");
    }
    long dekLength =
        Integer.toUnsignedLong(
            (ciphertext[0] & 0xff) << 24
                | (ciphertext[1] & 0xff) << 16
                | (ciphertext[2] & 0xff) << 8
                | (ciphertext[3] & 0xff));
    if (dekLength == 0 || dekLength > ciphertext.length - LENGTH_PREFIX) {
      throw new MalformedCiphertextException(
          "the Tink envelope claims an encrypted data key of "
              + dekLength
              + " bytes in a ciphertext of "
              + ciphertext.length);
    }
  }
}
