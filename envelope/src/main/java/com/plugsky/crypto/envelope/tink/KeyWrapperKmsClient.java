package com.plugsky.crypto.envelope.tink;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KmsClient;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrappers;
import java.security.GeneralSecurityException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Tink {@link KmsClient} over this library's key wrappers, so that Tink's {@code KmsEnvelopeAead}
 * and encrypted keysets can use any KEK a {@link KeyRef} names (an HSM object, a cloud KMS key, a
 * local key file): the key URI is the KeyRef URI, e.g. {@code local:orders} or {@code
 * pkcs11:token=hsm1;object=kek;type=secret-key}.
 *
 * <pre>{@code
 * KmsClients.add(KeyWrapperKmsClient.create());
 * Aead kek = KmsClients.get("local:orders").getAead("local:orders");
 * Aead aead = KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, kek);
 * }</pre>
 *
 * <p>The {@link Aead} it returns encrypts into an envelope message (docs/FORMAT.md) wrapped under
 * that one KEK, so any length works (a data key from KmsEnvelopeAead, a whole keyset) and the KEK
 * never leaves its backend. Tink's associated data, of any length, is bound through the message's
 * encryption context as {@value EnvelopeAead#ASSOCIATED_DATA_KEY} = its SHA-256 (unpadded
 * base64url), so the header, which anyone can read, does not carry the data itself; it must match
 * on decryption. Failures reach Tink as {@link GeneralSecurityException} with this library's typed
 * exception as the cause. Credentials are the key wrappers' business (PIN sources, cloud SDK
 * credentials), so {@link #withCredentials} and {@link #withDefaultCredentials} change nothing.
 * Thread-safe.
 */
public final class KeyWrapperKmsClient implements KmsClient {
  private final Map<KeyRefScheme, KeyWrapper> wrappers;
  private final AuditSink auditSink;
  private final Map<KeyRef, Aead> aeads = new ConcurrentHashMap<>();

  private KeyWrapperKmsClient(Map<KeyRefScheme, KeyWrapper> wrappers, AuditSink auditSink) {
    this.wrappers = Map.copyOf(wrappers);
    this.auditSink = auditSink;
  }

  /** A client over the key wrappers found on the classpath, auditing nowhere. */
  public static KeyWrapperKmsClient create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Whether {@code keyUri} is a KeyRef with a key wrapper given here or on the classpath. */
  @Override
  public boolean doesSupport(String keyUri) {
    if (keyUri == null) {
      return false;
    }
    try {
      KeyRef keyRef = KeyRef.parse(keyUri);
      return wrappers.containsKey(keyRef.scheme()) || KeyWrappers.forKeyRef(keyRef) != null;
    } catch (CryptoException e) {
      return false;
    }
  }

  @Override
  public KmsClient withCredentials(String credentialPath) {
    return this;
  }

  @Override
  public KmsClient withDefaultCredentials() {
    return this;
  }

  /**
   * @throws GeneralSecurityException when {@code keyUri} is not a KeyRef or no wrapper serves it
   */
  @Override
  public Aead getAead(String keyUri) throws GeneralSecurityException {
    Objects.requireNonNull(keyUri, "keyUri");
    KeyRef keyRef;
    try {
      keyRef = KeyRef.parse(keyUri);
    } catch (CryptoException e) {
      throw new GeneralSecurityException("not a KeyRef URI: " + e.getMessage(), e);
    }
    try {
      return aeads.computeIfAbsent(keyRef, this::aeadFor);
    } catch (CryptoException e) {
      throw new GeneralSecurityException("no key wrapper for " + keyRef + ": " + e.getMessage(), e);
    }
  }

  private Aead aeadFor(KeyRef keyRef) {
    Envelope.Builder builder = Envelope.builder().kek(keyRef).auditSink(auditSink);
    KeyWrapper wrapper = wrappers.get(keyRef.scheme());
    builder.keyWrapper(wrapper != null ? wrapper : KeyWrappers.forKeyRef(keyRef, AuditSink.NONE));
    return new EnvelopeAead(builder.build());
  }

  /** Configures a {@link KeyWrapperKmsClient}. */
  public static final class Builder {
    private final Map<KeyRefScheme, KeyWrapper> wrappers = new EnumMap<>(KeyRefScheme.class);
    private AuditSink auditSink = AuditSink.NONE;

    private Builder() {}

    /** The wrapper for its scheme's KeyRefs, instead of the one on the classpath. */
    public Builder keyWrapper(KeyWrapper wrapper) {
      wrappers.put(wrapper.scheme(), Objects.requireNonNull(wrapper, "wrapper"));
      return this;
    }

    /** Receives an event per wrap and unwrap, as {@link Envelope.Builder#auditSink}. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    public KeyWrapperKmsClient build() {
      return new KeyWrapperKmsClient(wrappers, auditSink);
    }
  }
}
