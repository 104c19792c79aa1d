package com.plugsky.crypto.envelope.tink;

import com.google.crypto.tink.Aead;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.Envelope;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * A Tink {@link Aead} that writes envelope messages; see {@link KeyWrapperKmsClient}. Associated
 * data is bound through the encryption context as its SHA-256, not as itself: a message header is
 * readable without any key, and Tink's contract never puts associated data into a ciphertext.
 */
final class EnvelopeAead implements Aead {
  static final String ASSOCIATED_DATA_KEY = "tink-associated-data-sha256";

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
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(associatedData);
    } catch (NoSuchAlgorithmException e) {
      throw new GeneralSecurityException("this JDK has no SHA-256", e);
    }
    return EncryptionContext.of(
        ASSOCIATED_DATA_KEY, Base64.getUrlEncoder().withoutPadding().encodeToString(digest));
  }
}
