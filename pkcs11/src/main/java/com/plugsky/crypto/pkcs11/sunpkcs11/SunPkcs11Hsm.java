package com.plugsky.crypto.pkcs11.sunpkcs11;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditedOperation;
import com.plugsky.crypto.pkcs11.Capabilities;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmConfig.Quirk;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.MissingKey;
import com.plugsky.crypto.pkcs11.ReturnCode;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import com.plugsky.crypto.pkcs11.ffm.LoginGate;
import com.plugsky.crypto.pkcs11.ffm.PublicKeys;
import com.plugsky.crypto.pkcs11.ffm.TokenDirectory;
import com.plugsky.crypto.pkcs11.ffm.TokenObjectLock;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.cert.Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.InvalidParameterSpecException;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.KeyGenerator;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code sunpkcs11} backend: the JDK's SunPKCS11 provider, configured from {@link HsmConfig}
 * (module, the token's slot, found by label through {@link TokenDirectory}, and key templates that
 * make generated and imported keys sensitive and never extractable).
 *
 * <p>What differs from the {@code ffm} backend, all of it from SunPKCS11 itself: keys are found by
 * {@code CKA_LABEL} only (its KeyStore names secret keys by label), so {@link
 * Capabilities.Operation#KEY_ID} is unavailable; it lists private keys only with a certificate
 * chain, so each generated key pair is stored as a private key (CKA_ID = the label) with a {@link
 * PlaceholderCertificate} (CKA_LABEL and CKA_ID = the label), and the public key is the
 * certificate's; SunPKCS11 manages its own sessions, so the pool settings do not apply;
 * CKM_AES_KEY_WRAP_PAD is available only where a probe at the first capability query shows that
 * SunPKCS11 can drive it on the token (on SoftHSM2 it cannot: it passes the RFC 5649 IV as a
 * mechanism parameter, which SoftHSM2 refuses). SunPKCS11 applies its import template to every AES
 * key it converts, so this backend never hands it a key to wrap: it wraps bytes in ENCRYPT_MODE.
 * {@link #close()} forgets cached keys only: a configured SunPKCS11 provider cannot be unloaded,
 * and logging out would log out every other user of the token in this process. A call that finds
 * the user logged out (the token restarted, or another user of the module in this process logged
 * out) is run once more after a fresh login; once the token refused the PIN, no login is tried
 * again (see {@link LoginGate}).
 */
public final class SunPkcs11Hsm implements Hsm {
  static final String BACKEND = "sunpkcs11";
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final Pattern CKR_NAME = Pattern.compile("\\b(CKR_[A-Z_]+)");
  private static final Pattern CKR_VALUE = Pattern.compile("\\b0x([0-9A-Fa-f]{1,16})\\b");
  private static final String TEMPLATES =
      """
      attributes(generate, CKO_SECRET_KEY, CKK_AES) = {
        CKA_SENSITIVE = true
        CKA_EXTRACTABLE = false
        CKA_ENCRYPT = true
        CKA_DECRYPT = true
        CKA_WRAP = true
        CKA_UNWRAP = true
      }
      attributes(generate, CKO_PRIVATE_KEY, *) = {
        CKA_TOKEN = true
        CKA_PRIVATE = true
        CKA_SENSITIVE = true
        CKA_EXTRACTABLE = false
        CKA_SIGN = true
        CKA_DECRYPT = false
        CKA_UNWRAP = false
        CKA_DERIVE = false
      }
      attributes(generate, CKO_PUBLIC_KEY, *) = {
        CKA_VERIFY = true
        CKA_ENCRYPT = false
        CKA_WRAP = false
      }
      attributes(generate, CKO_SECRET_KEY, CKK_GENERIC_SECRET) = {
        CKA_SENSITIVE = true
        CKA_EXTRACTABLE = false
        CKA_SIGN = true
        CKA_VERIFY = true
        CKA_ENCRYPT = false
        CKA_DECRYPT = false
        CKA_WRAP = false
        CKA_UNWRAP = false
      }
      attributes(import, CKO_SECRET_KEY, CKK_GENERIC_SECRET) = {
        CKA_SENSITIVE = true
        CKA_EXTRACTABLE = false
        CKA_SIGN = true
        CKA_VERIFY = true
        CKA_ENCRYPT = false
        CKA_DECRYPT = false
        CKA_WRAP = false
        CKA_UNWRAP = false
      }
      attributes(import, CKO_SECRET_KEY, CKK_AES) = {
        CKA_SENSITIVE = true
        CKA_EXTRACTABLE = false
        CKA_ENCRYPT = true
        CKA_DECRYPT = true
        CKA_WRAP = true
        CKA_UNWRAP = true
      }
      """;

  private final HsmConfig config;
  private final Provider provider;
  private final long slot;
  private final String tokenLabel;
  private final boolean generalErrorMeansIntegrityFailure;
  private final Map<HsmKey, SecretKey> keys = new ConcurrentHashMap<>();
  private final Map<HsmKey, PrivateKey> privateKeys = new ConcurrentHashMap<>();
  private final Map<HsmKey, PublicKey> publicKeys = new ConcurrentHashMap<>();
  private final Set<HsmKey> importedPublicKeys = ConcurrentHashMap.newKeySet();
  private final Object loginLock = new Object();
  private final LoginGate loginGate;
  private volatile KeyStore keyStore;
  private volatile Capabilities capabilities;

  /**
   * Keeps this backend's KeyStore searches away from its token-object creations
   * (FIND_RACES_TOKEN_OBJECT_CREATION) where the module needs it, shared with the other backends on
   * the token. SunPKCS11's own searches (its KeyStore's loading) stay out of reach.
   */
  private final TokenObjectLock tokenObjectLock;

  private SunPkcs11Hsm(HsmConfig config, Provider provider, long slot, String tokenLabel) {
    this.config = config;
    this.provider = provider;
    this.slot = slot;
    this.tokenLabel = tokenLabel;
    this.loginGate = new LoginGate(tokenLabel);
    boolean softHsm = TokenDirectory.manufacturer(config.modulePath()).startsWith("SoftHSM");
    this.generalErrorMeansIntegrityFailure =
        softHsm || config.quirks().contains(Quirk.GENERAL_ERROR_ON_INTEGRITY_FAILURE);
    this.tokenObjectLock =
        softHsm || config.quirks().contains(Quirk.FIND_RACES_TOKEN_OBJECT_CREATION)
            ? TokenObjectLock.of(config.modulePath(), tokenLabel)
            : TokenObjectLock.none();
  }

  /** Configures a SunPKCS11 provider for the token; the login waits for the first call. */
  public static SunPkcs11Hsm open(HsmConfig config) {
    Objects.requireNonNull(config, "config");
    Provider base = Security.getProvider("SunPKCS11");
    if (base == null) {
      throw new ConfigurationException(
          "this JDK has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
    }
    long slot =
        config.slotId().isPresent()
            ? config.slotId().getAsLong()
            : TokenDirectory.slotOf(config.modulePath(), config.tokenLabel().orElseThrow());
    String label = TokenDirectory.labelIn(config.modulePath(), slot);
    String name =
        "plugsky-" + label.replaceAll("[^A-Za-z0-9-]", "_") + "-" + INSTANCES.incrementAndGet();
    String settings =
        "--name = "
            + name
            + "\nlibrary = \""
            + config.modulePath()
            + "\"\nslot = "
            + slot
            + "\n"
            + TEMPLATES;
    Provider provider;
    try {
      provider = base.configure(settings);
    } catch (RuntimeException e) {
      throw new ConfigurationException(
          "SunPKCS11 cannot use " + config.modulePath() + ", slot " + slot + ": " + e.getMessage(),
          e);
    }
    return new SunPkcs11Hsm(config, provider, slot, label);
  }

  @Override
  public Capabilities capabilities() {
    Capabilities known = capabilities;
    if (known == null) {
      known = readCapabilities();
      capabilities = known;
    }
    return known;
  }

  @Override
  public boolean contains(HsmKey key) {
    String label = labelOf(key);
    KeyStore store = loggedIn();
    return tokenObjectLock.searching(
        () -> {
          try {
            return store.containsAlias(label)
                && store.entryInstanceOf(label, KeyStore.SecretKeyEntry.class);
          } catch (GeneralSecurityException e) {
            throw failure("KeyStore.containsAlias", e, key);
          }
        });
  }

  @Override
  public void destroyKey(HsmKey key) {
    String label = labelOf(key);
    if (importedPublicKeys.remove(key)) {
      publicKeys.remove(key);
      return;
    }
    KeyStore store = loggedIn();
    tokenObjectLock.changing(
        () -> {
          try {
            if (!store.containsAlias(label)) {
              store.load(null, null);
            }
            if (!store.containsAlias(label)) {
              throw MissingKey.failure("token " + tokenLabel + " holds no object named " + key);
            }
            store.deleteEntry(label);
            return null;
          } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw failure("C_DestroyObject", e, key);
          } finally {
            keys.remove(key);
            privateKeys.remove(key);
            publicKeys.remove(key);
          }
        });
  }

  @Override
  public void generateAesKey(HsmKey key) {
    generateSecret(key, "AES");
  }

  @Override
  public void importAesKey(HsmKey key, byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length != 16 && value.length != 24 && value.length != 32) {
      throw new InvalidInputException("an AES key is 16, 24 or 32 bytes, got " + value.length);
    }
    tokenObjectLock.changing(
        () -> {
          refuseDuplicate(key);
          store(key, new SecretKeySpec(value, "AES"));
          return null;
        });
  }

  @Override
  public byte[] encryptAesGcm(HsmKey key, byte[] iv, byte[] plaintext, byte[] aad) {
    return againAfterLogout(() -> encryptAesGcmOnce(key, iv, plaintext, aad));
  }

  private byte[] encryptAesGcmOnce(HsmKey key, byte[] iv, byte[] plaintext, byte[] aad) {
    Objects.requireNonNull(plaintext, "plaintext");
    checkGcmArguments(iv, aad);
    SecretKey secretKey = find(key);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.ENCRYPT_MODE, secretKey, new GCMParameterSpec(128, iv));
      cipher.updateAAD(aad);
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw failure("C_Encrypt", e, key);
    }
  }

  @Override
  public byte[] decryptAesGcm(HsmKey key, byte[] iv, byte[] ciphertextAndTag, byte[] aad) {
    return againAfterLogout(() -> decryptAesGcmOnce(key, iv, ciphertextAndTag, aad));
  }

  private byte[] decryptAesGcmOnce(HsmKey key, byte[] iv, byte[] ciphertextAndTag, byte[] aad) {
    Objects.requireNonNull(ciphertextAndTag, "ciphertextAndTag");
    checkGcmArguments(iv, aad);
    if (ciphertextAndTag.length < 16) {
      throw new MalformedCiphertextException(
          "AES-GCM ciphertext is "
              + ciphertextAndTag.length
              + " bytes, shorter than its 16-byte tag");
    }
    SecretKey secretKey = find(key);
    byte[] out = new byte[ciphertextAndTag.length];
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.DECRYPT_MODE, secretKey, new GCMParameterSpec(128, iv));
      cipher.updateAAD(aad);
      // SoftHSM2 wants room for the whole input, tag included, so the output buffer is that big.
      int length = cipher.doFinal(ciphertextAndTag, 0, ciphertextAndTag.length, out, 0);
      return Arrays.copyOf(out, length);
    } catch (AEADBadTagException e) {
      throw new AuthenticationFailedException(
          "AES-GCM tag did not verify in token " + tokenLabel + " (key " + key + ")", e);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw integrityChecked(failure("C_Decrypt", e, key));
    } finally {
      Arrays.fill(out, (byte) 0);
    }
  }

  @Override
  public byte[] wrapKeyPad(HsmKey kek, byte[] secret) {
    return againAfterLogout(() -> wrapKeyPadOnce(kek, secret));
  }

  private byte[] wrapKeyPadOnce(HsmKey kek, byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    requireKeyWrap();
    try {
      Cipher cipher = Cipher.getInstance("AES/KWP/NoPadding", provider);
      cipher.init(Cipher.ENCRYPT_MODE, find(kek));
      return cipher.doFinal(secret);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw failure("C_WrapKey", e, kek);
    }
  }

  @Override
  public byte[] unwrapKeyPad(HsmKey kek, byte[] wrapped) {
    return againAfterLogout(() -> unwrapKeyPadOnce(kek, wrapped));
  }

  private byte[] unwrapKeyPadOnce(HsmKey kek, byte[] wrapped) {
    Objects.requireNonNull(wrapped, "wrapped");
    requireKeyWrap();
    if (wrapped.length < 16 || wrapped.length % 8 != 0) {
      throw new MalformedCiphertextException(
          "a CKM_AES_KEY_WRAP_PAD result is a multiple of 8 bytes from 16, got " + wrapped.length);
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/KWP/NoPadding", provider);
      cipher.init(Cipher.DECRYPT_MODE, find(kek));
      return cipher.doFinal(wrapped);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw integrityChecked(failure("C_UnwrapKey", e, kek));
    }
  }

  @Override
  public void generateKeyPair(HsmKey key, KeyPairType type) {
    Objects.requireNonNull(type, "type");
    String label = labelOf(key);
    requireSupported(type.operation());
    KeyStore store = loggedIn();
    tokenObjectLock.changing(
        () -> {
          try {
            if (store.containsAlias(label)) {
              throw new InvalidInputException(
                  "token " + tokenLabel + " already holds an entry labelled " + label);
            }
            KeyPairGenerator generator =
                KeyPairGenerator.getInstance(type.isRsa() ? "RSA" : "EC", provider);
            generator.initialize(
                type.isRsa()
                    ? new RSAKeyGenParameterSpec(type.bits(), RSAKeyGenParameterSpec.F4)
                    : new ECGenParameterSpec(
                        type == KeyPairType.EC_P256 ? "secp256r1" : "secp384r1"));
            KeyPair pair = generator.generateKeyPair();
            Certificate certificate = PlaceholderCertificate.of(label, pair, provider);
            store.setEntry(
                label,
                new KeyStore.PrivateKeyEntry(pair.getPrivate(), new Certificate[] {certificate}),
                null);
            return null;
          } catch (GeneralSecurityException | RuntimeException e) {
            throw failure("C_GenerateKeyPair", e, key);
          }
        });
  }

  @Override
  public byte[] sign(HsmKey key, SignatureAlgorithm algorithm, byte[] data) {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(data, "data");
    String label = labelOf(key);
    return AuditedOperation.of(Operation.SIGN, "pkcs11-" + BACKEND)
        .withKeyRef(key.uri(tokenLabel, "private"))
        .withRegion(tokenLabel)
        .withBytes(data.length)
        .call(
            config.auditSink(),
            () ->
                againAfterLogout(
                    () -> {
                      PrivateKey privateKey = findPrivate(key, label);
                      try {
                        Signature signer = signature(algorithm);
                        signer.initSign(privateKey);
                        signer.update(data);
                        return signer.sign();
                      } catch (GeneralSecurityException | RuntimeException e) {
                        throw failure("C_Sign", e, key);
                      }
                    }));
  }

  @Override
  public boolean verify(HsmKey key, SignatureAlgorithm algorithm, byte[] data, byte[] signature) {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(signature, "signature");
    PublicKey publicKey = publicKey(key);
    try {
      Signature verifier = signature(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (SignatureException e) {
      return false;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw failure("C_Verify", e, key);
    }
  }

  @Override
  public PublicKey publicKey(HsmKey key) {
    String label = labelOf(key);
    PublicKey cached = publicKeys.get(key);
    if (cached != null) {
      return cached;
    }
    KeyStore store = loggedIn();
    Certificate certificate =
        tokenObjectLock.searching(
            () -> {
              try {
                Certificate inStore = store.getCertificate(label);
                if (inStore == null) {
                  store.load(null, null);
                  inStore = store.getCertificate(label);
                }
                return inStore;
              } catch (GeneralSecurityException | IOException | RuntimeException e) {
                throw failure("C_FindObjects", e, key);
              }
            });
    if (certificate == null) {
      throw MissingKey.failure("token " + tokenLabel + " holds no key pair " + key);
    }
    publicKeys.put(key, certificate.getPublicKey());
    return certificate.getPublicKey();
  }

  /** A Signature for {@code algorithm} from this provider, hashing in the token where it can. */
  private Signature signature(SignatureAlgorithm algorithm) throws GeneralSecurityException {
    String name = algorithm.jcaName();
    if (name.equals("RSASSA-PSS")) {
      String combined = algorithm.digest().replace("-", "") + "withRSASSA-PSS";
      if (provider.getService("Signature", combined) != null) {
        name = combined;
      }
    }
    Signature signature = Signature.getInstance(name, provider);
    if (algorithm.jcaParameters().isPresent()) {
      signature.setParameter(algorithm.jcaParameters().get());
    }
    return signature;
  }

  private PrivateKey findPrivate(HsmKey key, String label) {
    PrivateKey cached = privateKeys.get(key);
    if (cached != null) {
      return cached;
    }
    KeyStore store = loggedIn();
    Key found = tokenObjectLock.searching(() -> lookUp(store, label, key));
    if (!(found instanceof PrivateKey privateKey)) {
      throw MissingKey.failure("token " + tokenLabel + " holds no private key " + key);
    }
    privateKeys.put(key, privateKey);
    return privateKey;
  }

  /**
   * SunPKCS11 turns the key into an unlabelled session object of its own (KeyFactory.translateKey)
   * and verifies with it in the token; this handle keeps it by name.
   */
  @Override
  public void importEcPublicKey(HsmKey key, ECPublicKey publicKey) {
    Objects.requireNonNull(publicKey, "publicKey");
    PublicKeys.ecBits(publicKey);
    if (importedPublicKeys.contains(key) || contains(key)) {
      throw new InvalidInputException("token " + tokenLabel + " already holds an object " + key);
    }
    try {
      PublicKey inToken =
          (PublicKey) KeyFactory.getInstance("EC", provider).translateKey(publicKey);
      importedPublicKeys.add(key);
      publicKeys.put(key, inToken);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw failure("C_CreateObject", e, key);
    }
  }

  @Override
  public void generateHmacKey(HsmKey key) {
    requireSupported(Capabilities.Operation.HMAC_SHA256);
    generateSecret(key, "HmacSHA256");
  }

  @Override
  public void importHmacKey(HsmKey key, byte[] value) {
    Objects.requireNonNull(value, "value");
    if (value.length < 16 || value.length > 256) {
      throw new InvalidInputException("an HMAC key here is 16..256 bytes, got " + value.length);
    }
    requireSupported(Capabilities.Operation.HMAC_SHA256);
    tokenObjectLock.changing(
        () -> {
          refuseDuplicate(key);
          store(key, new SecretKeySpec(value, "HmacSHA256"));
          return null;
        });
  }

  @Override
  public byte[] hmacSha256(HsmKey key, byte[] data) {
    Objects.requireNonNull(data, "data");
    return againAfterLogout(
        () -> {
          SecretKey secretKey = find(key);
          try {
            Mac mac = Mac.getInstance("HmacSHA256", provider);
            mac.init(secretKey);
            return mac.doFinal(data);
          } catch (GeneralSecurityException | RuntimeException e) {
            throw failure("C_Sign", e, key);
          }
        });
  }

  @Override
  public boolean verifyHmacSha256(HsmKey key, byte[] data, byte[] mac) {
    Objects.requireNonNull(mac, "mac");
    return MessageDigest.isEqual(hmacSha256(key, data), mac);
  }

  @Override
  public byte[] random(int length) {
    if (length < 0 || length > 1 << 20) {
      throw new InvalidInputException("random length must be 0..1048576, got " + length);
    }
    loggedIn();
    try {
      byte[] out = new byte[length];
      SecureRandom.getInstance("PKCS11", provider).nextBytes(out);
      return out;
    } catch (GeneralSecurityException | RuntimeException e) {
      throw failure("C_GenerateRandom", e, "token " + tokenLabel);
    }
  }

  @Override
  public void close() {
    keys.clear();
    privateKeys.clear();
    publicKeys.clear();
    importedPublicKeys.clear();
  }

  @Override
  public String toString() {
    return "SunPkcs11Hsm[" + config + ", provider=" + provider.getName() + "]";
  }

  // --- keys -------------------------------------------------------------------------------

  private SecretKey find(HsmKey key) {
    SecretKey cached = keys.get(key);
    if (cached != null) {
      return cached;
    }
    String label = labelOf(key);
    KeyStore store = loggedIn();
    Key found = tokenObjectLock.searching(() -> lookUp(store, label, key));
    if (!(found instanceof SecretKey secretKey)) {
      throw MissingKey.failure("token " + tokenLabel + " holds no secret key " + key);
    }
    keys.put(key, secretKey);
    return secretKey;
  }

  /**
   * A new 256-bit secret key of {@code algorithm} under {@code key}'s label, unless one is there.
   */
  private void generateSecret(HsmKey key, String algorithm) {
    tokenObjectLock.changing(
        () -> {
          refuseDuplicate(key);
          try {
            KeyGenerator generator = KeyGenerator.getInstance(algorithm, provider);
            generator.init(256);
            store(key, generator.generateKey());
            return null;
          } catch (GeneralSecurityException | RuntimeException e) {
            throw failure("C_GenerateKey", e, key);
          }
        });
  }

  private void store(HsmKey key, SecretKey secretKey) {
    String label = labelOf(key);
    KeyStore store = loggedIn();
    tokenObjectLock.changing(
        () -> {
          try {
            store.setEntry(label, new KeyStore.SecretKeyEntry(secretKey), null);
            return null;
          } catch (GeneralSecurityException | RuntimeException e) {
            throw failure("C_CreateObject", e, key);
          }
        });
  }

  /**
   * The key labelled {@code label}, or null. The KeyStore maps labels when loaded: a key made
   * since, e.g. by another backend, needs a fresh map; loading again with no PIN keeps the login.
   */
  private Key lookUp(KeyStore store, String label, HsmKey key) {
    try {
      Key found = store.getKey(label, null);
      if (found == null) {
        store.load(null, null);
        found = store.getKey(label, null);
      }
      return found;
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw failure("C_FindObjects", e, key);
    }
  }

  private void refuseDuplicate(HsmKey key) {
    if (contains(key)) {
      throw new InvalidInputException("token " + tokenLabel + " already holds a secret key " + key);
    }
  }

  private static String labelOf(HsmKey key) {
    Objects.requireNonNull(key, "key");
    if (key.id().isPresent() || key.label().isEmpty()) {
      throw new ConfigurationException(
          "the sunpkcs11 backend finds keys by label only (SunPKCS11's KeyStore names secret keys"
              + " by CKA_LABEL); "
              + key
              + " names an id");
    }
    return key.label().orElseThrow();
  }

  private static void checkGcmArguments(byte[] iv, byte[] aad) {
    Objects.requireNonNull(iv, "iv");
    Objects.requireNonNull(aad, "aad (use an empty array for none)");
    if (iv.length < 1 || iv.length > 256) {
      throw new InvalidInputException("an AES-GCM IV must be 1..256 bytes, got " + iv.length);
    }
  }

  // --- login and capabilities -------------------------------------------------------------

  /**
   * Runs {@code call}, and once more after a fresh login if the token had logged the user out
   * (SunPKCS11 does not log in again by itself; the token also drops private key handles then).
   */
  private <T> T againAfterLogout(Supplier<T> call) {
    try {
      return call.get();
    } catch (CryptoException e) {
      ReturnCode code = ReturnCode.of(e).orElse(null);
      if (code != ReturnCode.CKR_USER_NOT_LOGGED_IN
          && code != ReturnCode.CKR_KEY_HANDLE_INVALID
          && code != ReturnCode.CKR_OBJECT_HANDLE_INVALID) {
        throw e;
      }
      keys.clear();
      privateKeys.clear();
      synchronized (loginLock) {
        keyStore = null;
      }
      return call.get();
    }
  }

  /** The token's KeyStore, loaded (and so logged in) on first use. */
  private KeyStore loggedIn() {
    KeyStore store = keyStore;
    if (store != null) {
      return store;
    }
    synchronized (loginLock) {
      if (keyStore == null) {
        loginGate.requireOpen();
        try {
          keyStore =
              AuditedOperation.of(Operation.HSM_LOGIN, "pkcs11-" + BACKEND)
                  .withRegion(tokenLabel)
                  .call(config.auditSink(), this::login);
        } catch (RuntimeException e) {
          throw loginGate.observe(e);
        }
      }
      return keyStore;
    }
  }

  private KeyStore login() {
    char[] pin = config.pinSource().pin();
    try {
      KeyStore store = KeyStore.getInstance("PKCS11", provider);
      store.load(null, pin);
      return store;
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw failure("C_Login", e, "token " + tokenLabel);
    } finally {
      if (pin != null) {
        Arrays.fill(pin, '\0');
      }
    }
  }

  private Capabilities readCapabilities() {
    Map<Capabilities.Operation, String> unavailable = new EnumMap<>(Capabilities.Operation.class);
    unavailable.put(
        Capabilities.Operation.KEY_ID, "SunPKCS11's KeyStore names secret keys by CKA_LABEL only");
    if (provider.getService("KeyPairGenerator", "EC") == null
        || provider.getService("Signature", "SHA256withECDSAinP1363Format") == null) {
      String reason = "SunPKCS11 offers no EC key pair generation with ECDSA for this token";
      unavailable.put(Capabilities.Operation.EC_P256, reason);
      unavailable.put(Capabilities.Operation.EC_P384, reason);
    }
    if (provider.getService("KeyPairGenerator", "RSA") == null
        || provider.getService("Signature", "RSASSA-PSS") == null) {
      unavailable.put(
          Capabilities.Operation.RSA,
          "SunPKCS11 offers no RSA key pair generation with RSASSA-PSS for this token");
    }
    if (provider.getService("Cipher", "AES/GCM/NoPadding") == null) {
      unavailable.put(
          Capabilities.Operation.AES_GCM, "SunPKCS11 offers no AES/GCM/NoPadding for this token");
    }
    if (provider.getService("KeyGenerator", "HmacSHA256") == null
        || provider.getService("Mac", "HmacSHA256") == null) {
      unavailable.put(
          Capabilities.Operation.HMAC_SHA256,
          "SunPKCS11 offers no HmacSHA256 key generation and Mac for this token");
    }
    if (provider.getService("SecureRandom", "PKCS11") == null) {
      unavailable.put(
          Capabilities.Operation.RANDOM, "SunPKCS11 offers no SecureRandom for this token");
    }
    probeKeyWrap()
        .ifPresent(reason -> unavailable.put(Capabilities.Operation.AES_KEY_WRAP_PAD, reason));
    return new Capabilities(
        BACKEND, tokenLabel, TokenDirectory.mechanisms(config.modulePath(), slot), unavailable);
  }

  /** Why SunPKCS11 cannot run CKM_AES_KEY_WRAP_PAD here, found by trying it on a session key. */
  private Optional<String> probeKeyWrap() {
    if (provider.getService("Cipher", "AES/KWP/NoPadding") == null) {
      return Optional.of("SunPKCS11 offers no AES/KWP/NoPadding for this token");
    }
    loggedIn();
    try {
      KeyGenerator generator = KeyGenerator.getInstance("AES", provider);
      generator.init(256);
      SecretKey probeKey = generator.generateKey();
      Cipher cipher = Cipher.getInstance("AES/KWP/NoPadding", provider);
      cipher.init(Cipher.ENCRYPT_MODE, probeKey);
      byte[] wrapped = cipher.doFinal(new byte[32]);
      cipher.init(Cipher.DECRYPT_MODE, probeKey);
      cipher.doFinal(wrapped);
      return Optional.empty();
    } catch (GeneralSecurityException | RuntimeException e) {
      return Optional.of(
          "SunPKCS11 cannot drive CKM_AES_KEY_WRAP_PAD on this token: "
              + failure("probe", e, "").getMessage());
    }
  }

  private void requireKeyWrap() {
    requireSupported(Capabilities.Operation.AES_KEY_WRAP_PAD);
  }

  private void requireSupported(Capabilities.Operation operation) {
    String reason = capabilities().unavailable().get(operation);
    if (reason != null) {
      throw new ConfigurationException(reason);
    }
  }

  // --- failures ---------------------------------------------------------------------------

  private CryptoException integrityChecked(CryptoException failure) {
    if (generalErrorMeansIntegrityFailure
        && ReturnCode.of(failure).orElse(null) == ReturnCode.CKR_GENERAL_ERROR) {
      return new AuthenticationFailedException(
          failure.getMessage()
              + ": this module reports a failed tag or integrity check so (wrong key, wrong"
              + " associated data, or modified bytes)",
          failure);
    }
    return failure;
  }

  /**
   * The typed exception for a SunPKCS11 failure: the PKCS#11 code its PKCS11Exception names, if any
   * along the causes (SunPKCS11's exception class is not exported, so its message is read).
   */
  private CryptoException failure(String function, Throwable e, Object what) {
    if (e instanceof CryptoException crypto) {
      return crypto;
    }
    String description =
        what instanceof HsmKey key ? "token " + tokenLabel + ", key " + key : String.valueOf(what);
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getClass().getName().endsWith(".PKCS11Exception") && t.getMessage() != null) {
        Optional<Long> code = codeIn(t.getMessage());
        if (code.isPresent()) {
          CryptoException typed = ReturnCode.failure(function, code.get(), description);
          typed.addSuppressed(e);
          return typed;
        }
      }
    }
    if (e instanceof NoSuchAlgorithmException) {
      return new ConfigurationException(
          function + " failed: SunPKCS11 offers no " + e.getMessage() + " (" + description + ")",
          e);
    }
    // With no PKCS#11 code, a checked exception is SunPKCS11 refusing the request itself, which
    // repeating cannot change; only unchecked and I/O failures may be the token going away.
    if (e instanceof GeneralSecurityException refused) {
      String message =
          function + " failed: SunPKCS11 refused it: " + refused + " (" + description + ")";
      return refusesInput(refused)
          ? new InvalidInputException(message, e)
          : new ConfigurationException(message, e);
    }
    return new KeyUnavailableException(
        function + " failed through SunPKCS11: " + e + " (" + description + ")", e);
  }

  /** Whether SunPKCS11 refused an argument (a key, parameter or data) rather than its setup. */
  private static boolean refusesInput(GeneralSecurityException e) {
    return e instanceof InvalidKeyException
        || e instanceof InvalidAlgorithmParameterException
        || e instanceof InvalidKeySpecException
        || e instanceof InvalidParameterSpecException
        || e instanceof IllegalBlockSizeException
        || e instanceof BadPaddingException
        || e instanceof ShortBufferException
        || e instanceof SignatureException;
  }

  private static Optional<Long> codeIn(String message) {
    Matcher name = CKR_NAME.matcher(message);
    if (name.find()) {
      try {
        return Optional.of(ReturnCode.valueOf(name.group(1)).value());
      } catch (IllegalArgumentException unknownName) {
        return Optional.empty();
      }
    }
    Matcher value = CKR_VALUE.matcher(message);
    return value.find()
        ? Optional.of(Long.parseUnsignedLong(value.group(1), 16))
        : Optional.empty();
  }
}
