package com.plugsky.crypto.envelope.tink;

import com.google.crypto.tink.Aead;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.Envelope;
import java.security.GeneralSecurityException;
import java.util.Base64;

/** A Tink {@link Aead} that writes envelope messages; see {@link KeyWrapperKmsClient}. */
final class EnvelopeAead implements Aead {
  static final String ASSOCIATED_DATA_KEY = "tink-associated-data";

  /** The most associated data whose base64 fits a context value (2,048 bytes). */
  static final int MAX_ASSOCIATED_DATA = EncryptionContext.MAX_VALUE_BYTES / 4 * 3;

  private final Envelope envelope;

  EnvelopeAead(Envelope envelope) {
    this.envelope = envelope;
  }

  @Override
  public byte[] encrypt(byte[] plaintext, byte[] associatedData) throws GeneralSecurityException {
    EncryptionContext context = contextFor(associatedData);
    try {
      return envelope.encrypt(plaintext, context);
    } catch (CryptoException e) {
      throw new GeneralSecurityException("envelope encryption failed: " + e.getMessage(), e);
    }
  }

  @Override
  public byte[] decrypt(byte[] ciphertext, byte[] associatedData) throws GeneralSecurityException {
    EncryptionContext context = contextFor(associatedData);
    try {
      return envelope.decrypt(ciphertext, context);
    } catch (CryptoException e) {
      throw new GeneralSecurityException("envelope decryption failed: " + e.getMessage(), e);
    }
  }

  private static EncryptionContext contextFor(byte[] associatedData)
      throws GeneralSecurityException {
    if (associatedData == null || associatedData.length == 0) {
      return EncryptionContext.empty();
    }
    if (associatedData.length > MAX_ASSOCIATED_DATA) {
      throw new GeneralSecurityException(
          "associated data of "
              + associatedData.length
              + " bytes; this Aead carries at most "
              + MAX_ASSOCIATED_DATA
              + " in the encryption context");
    }
    return EncryptionContext.of(
        ASSOCIATED_DATA_KEY, Base64.getEncoder().encodeToString(associatedData));
  }
}
