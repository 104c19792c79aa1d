package com.plugsky.crypto.pkcs11.iaik;

import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_CLASS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_DECRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_DERIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_PARAMS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EC_POINT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ENCRYPT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_EXTRACTABLE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_ID;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_KEY_TYPE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_LABEL;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_MODULUS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_MODULUS_BITS;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PRIVATE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_PUBLIC_EXPONENT;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SENSITIVE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_SIGN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_TOKEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_UNWRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VALUE_LEN;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_VERIFY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKA_WRAP;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_AES;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_EC;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_GENERIC_SECRET;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKK_RSA;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_CERTIFICATE;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PRIVATE_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_PUBLIC_KEY;
import static org.xipki.pkcs11.wrapper.PKCS11Constants.CKO_SECRET_KEY;

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
import com.plugsky.crypto.pkcs11.PinSource;
import com.plugsky.crypto.pkcs11.ReturnCode;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import com.plugsky.crypto.pkcs11.ffm.KeyWrapProbe;
import com.plugsky.crypto.pkcs11.ffm.LoginGate;
import com.plugsky.crypto.pkcs11.ffm.PublicKeys;
import com.plugsky.crypto.pkcs11.ffm.TokenDirectory;
import com.plugsky.crypto.pkcs11.ffm.TokenObjectLock;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.xipki.pkcs11.wrapper.AttributeVector;
import org.xipki.pkcs11.wrapper.KeyPairTemplate;
import org.xipki.pkcs11.wrapper.Mechanism;
import org.xipki.pkcs11.wrapper.MechanismInfo;
import org.xipki.pkcs11.wrapper.PKCS11Constants;
import org.xipki.pkcs11.wrapper.PKCS11Exception;
import org.xipki.pkcs11.wrapper.PKCS11KeyPair;
import org.xipki.pkcs11.wrapper.PKCS11Module;
import org.xipki.pkcs11.wrapper.Session;
import org.xipki.pkcs11.wrapper.Slot;
import org.xipki.pkcs11.wrapper.StaticLogger;
import org.xipki.pkcs11.wrapper.Token;
import org.xipki.pkcs11.wrapper.TokenException;
import org.xipki.pkcs11.wrapper.params.GCM_PARAMS;
import org.xipki.pkcs11.wrapper.params.RSA_PKCS_PSS_PARAMS;

/**
 * The {@code iaik} backend: the IAIK-derived PKCS#11 wrapper maintained by xipki ({@code
 * org.xipki:ipkcs11wrapper}, JNI, its native library shipped in the jar). Every call runs on this
 * backend's own bounded pool of sessions ({@link Sessions}), which logs in once when its first
 * session opens (and not again once the token refused the PIN: see {@link LoginGate}); the
 * wrapper's {@code PKCS11Token}, whose own session pool would come on top of {@code maxSessions},
 * is not used. Object handles are cached per {@link HsmKey} and looked up again when the token
 * calls one invalid. Token lookup by label, the module's manufacturer and the mechanism names come
 * from {@link TokenDirectory}; keys are found by label and/or id, as in the {@code ffm} backend.
 */
public final class IaikHsm implements Hsm {
  static final String BACKEND = "iaik";
  private static final Map<Path, PKCS11Module> MODULES = new ConcurrentHashMap<>();

  private static final int MAX_WRAPPED_SECRET = 1024;
  private static final byte[] RSA_PUBLIC_EXPONENT = {1, 0, 1};

  /**
   * A signing copy: a session object with no label or id, so lookups by name still find the token
   * object alone; C_CopyObject keeps the key's sensitive and unextractable attributes.
   */
  private static final AttributeVector SIGNING_COPY =
      new AttributeVector().attr(CKA_TOKEN, false).attr(CKA_LABEL, "").attr(CKA_ID, new byte[0]);

  private static final Mechanism KEY_WRAP_PAD = new Mechanism(PKCS11Constants.CKM_AES_KEY_WRAP_PAD);
  private static final Mechanism HMAC_SHA256 = new Mechanism(PKCS11Constants.CKM_SHA256_HMAC);
  private static final byte[] SHA256_DIGEST_INFO =
      HexFormat.of().parseHex("3031300d060960864801650304020105000420");

  private final HsmConfig config;
  private final PKCS11Module module;
  private final Object loginLock = new Object();
  private final LoginGate loginGate;
  private final Object tokenLock = new Object();

  /** The wrapper's token, looked up again (and its slot with it) after the device went away. */
  private volatile Token token;

  private volatile long slot;
  private final String tokenLabel;
  private final boolean generalErrorMeansIntegrityFailure;
  private final boolean keyWrapPadPadsInput;
  private final boolean signWithSessionCopies;
  private final Map<String, Long> handles = new ConcurrentHashMap<>();

  /** Session copies of private keys that sign in their place (TOKEN_OBJECTS_REREAD_ON_USE). */
  private final Map<HsmKey, Long> signingCopies = new ConcurrentHashMap<>();

  private final Map<SignatureAlgorithm, SignMechanism> signMechanisms = new ConcurrentHashMap<>();
  private volatile Capabilities capabilities;
  private final Sessions sessions;

  /**
   * Held shared by each C_FindObjects and exclusively by each call that creates or destroys a token
   * object, where the module cannot take both at once.
   */
  private final TokenObjectLock objectStoreLock;

  private IaikHsm(HsmConfig config, PKCS11Module module, long slot, String tokenLabel) {
    this.config = config;
    this.module = module;
    this.slot = slot;
    this.tokenLabel = tokenLabel;
    this.loginGate = new LoginGate(tokenLabel);
    boolean softHsm = TokenDirectory.manufacturer(config.modulePath()).startsWith("SoftHSM");
    this.generalErrorMeansIntegrityFailure =
        softHsm || config.quirks().contains(Quirk.GENERAL_ERROR_ON_INTEGRITY_FAILURE);
    this.keyWrapPadPadsInput = softHsm || config.quirks().contains(Quirk.KEY_WRAP_PAD_PADS_INPUT);
    this.signWithSessionCopies =
        softHsm || config.quirks().contains(Quirk.TOKEN_OBJECTS_REREAD_ON_USE);
    this.objectStoreLock =
        softHsm || config.quirks().contains(Quirk.FIND_RACES_TOKEN_OBJECT_CREATION)
            ? TokenObjectLock.of(config.modulePath(), tokenLabel)
            : TokenObjectLock.none();
    this.sessions = new Sessions();
  }

  /**
   * Loads the module through the wrapper (once per JVM) and finds the token; the login waits for
   * the first call.
   */
  public static IaikHsm open(HsmConfig config) {
    Objects.requireNonNull(config, "config");
    long slot = slotOf(config);
    String label = TokenDirectory.labelIn(config.modulePath(), slot);
    return new IaikHsm(config, module(config.modulePath()), slot, label);
  }

  private static long slotOf(HsmConfig config) {
    return config.slotId().isPresent()
        ? config.slotId().getAsLong()
        : TokenDirectory.slotOf(config.modulePath(), config.tokenLabel().orElseThrow());
  }

  private static PKCS11Module module(Path path) {
    return MODULES.computeIfAbsent(
        path,
        p -> {
          try {
            StaticLogger.setLogger(new WrapperLog());
            PKCS11Module module = PKCS11Module.getInstance(p.toString());
            try {
              module.initialize();
            } catch (PKCS11Exception e) {
              // Another backend in this process initialised the module first.
              if (e.getErrorCode() != PKCS11Constants.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
                throw e;
              }
            }
            return module;
          } catch (IOException | TokenException | RuntimeException e) {
            throw new ConfigurationException(
                "the iaik wrapper cannot load " + p + ": " + e.getMessage(), e);
          }
        });
  }

  /** The wrapper's view of the token, found on first use. */
  private Token token() throws TokenException {
    Token known = token;
    if (known != null) {
      return known;
    }
    synchronized (tokenLock) {
      if (token == null) {
        long current = slot;
        for (Slot candidate : module.getSlotList(true)) {
          if (candidate.getSlotID() == current) {
            token = candidate.getToken();
            return token;
          }
        }
        throw new KeyUnavailableException(
            "the iaik wrapper sees no token in slot " + current + " (token " + tokenLabel + ")");
      }
      return token;
    }
  }

  /**
   * The token went away (CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT): its sessions, object handles
   * and signing copies went with it, and it may come back in another slot, or as another model.
   */
  private void forgetToken() {
    synchronized (tokenLock) {
      token = null;
      handles.clear();
      signingCopies.clear();
      capabilities = null;
      signMechanisms.clear();
      if (config.slotId().isEmpty()) {
        try {
          slot = slotOf(config);
        } catch (CryptoException e) {
          // Not back yet: the next call looks for it again and reports what it finds.
        }
      }
    }
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
    Objects.requireNonNull(key, "key");
    return onSession(
        "C_FindObjects", key, session -> find(session, key, CKO_SECRET_KEY, 2).length == 1);
  }

  @Override
  public void destroyKey(HsmKey key) {
    Objects.requireNonNull(key, "key");
    int destroyed =
        onSession(
            "C_DestroyObject",
            key,
            changingTokenObjects(
                session -> {
                  // Atomic with making a signing copy, so no copy of a destroyed key survives.
                  synchronized (signingCopies) {
                    Long copy = signingCopies.remove(key);
                    if (copy != null) {
                      destroyQuietly(session, copy);
                    }
                    int count = 0;
                    for (long type :
                        new long[] {
                          CKO_SECRET_KEY, CKO_PRIVATE_KEY, CKO_PUBLIC_KEY, CKO_CERTIFICATE
                        }) {
                      for (long object : find(session, key, type, 16)) {
                        session.destroyObject(object);
                        count++;
                      }
                      handles.remove(cacheKey(key, type));
                    }
                    return count;
                  }
                }));
    if (destroyed == 0) {
      throw MissingKey.failure("token " + tokenLabel + " holds no object named " + key);
    }
  }

  @Override
  public void generateAesKey(HsmKey key) {
    Objects.requireNonNull(key, "key");
    generateSecret(
        key,
        secretKey(key, CKK_AES, true).attr(CKA_VALUE_LEN, 32L),
        PKCS11Constants.CKM_AES_KEY_GEN);
  }

  @Override
  public void importAesKey(HsmKey key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (value.length != 16 && value.length != 24 && value.length != 32) {
      throw new InvalidInputException("an AES key is 16, 24 or 32 bytes, got " + value.length);
    }
    importSecret(key, value, CKK_AES, true);
  }

  @Override
  public byte[] encryptAesGcm(HsmKey key, byte[] iv, byte[] plaintext, byte[] aad) {
    Objects.requireNonNull(plaintext, "plaintext");
    checkGcmArguments(key, iv, aad);
    return withKey(
        key,
        CKO_SECRET_KEY,
        "C_Encrypt",
        (session, handle) ->
            plaintext.length == 0
                ? encryptEmpty(session, gcm(iv, aad), handle)
                : session.encryptSingle(gcm(iv, aad), handle, plaintext));
  }

  @Override
  public byte[] decryptAesGcm(HsmKey key, byte[] iv, byte[] ciphertextAndTag, byte[] aad) {
    Objects.requireNonNull(ciphertextAndTag, "ciphertextAndTag");
    checkGcmArguments(key, iv, aad);
    if (ciphertextAndTag.length < 16) {
      throw new MalformedCiphertextException(
          "AES-GCM ciphertext is "
              + ciphertextAndTag.length
              + " bytes, shorter than its 16-byte tag");
    }
    return integrityChecked(
        () ->
            withKey(
                key,
                CKO_SECRET_KEY,
                "C_Decrypt",
                (session, handle) ->
                    session.decryptSingle(gcm(iv, aad), handle, ciphertextAndTag)));
  }

  @Override
  public byte[] wrapKeyPad(HsmKey kek, byte[] secret) {
    Objects.requireNonNull(kek, "kek");
    Objects.requireNonNull(secret, "secret");
    if (secret.length < 1 || secret.length > MAX_WRAPPED_SECRET) {
      throw new InvalidInputException(
          "a secret to wrap must be 1.." + MAX_WRAPPED_SECRET + " bytes, got " + secret.length);
    }
    if (keyWrapPadPadsInput && secret.length % 8 != 0) {
      throw new InvalidInputException(
          "this module pads a secret to a multiple of 8 bytes before CKM_AES_KEY_WRAP_PAD, which"
              + " would not be RFC 5649 for a "
              + secret.length
              + "-byte secret; wrap multiples of 8 bytes");
    }
    return withKey(
        kek,
        CKO_SECRET_KEY,
        "C_WrapKey",
        (session, handle) -> {
          byte[] copy = secret.clone();
          long temporary;
          try {
            temporary = session.createObject(sessionSecret(true).attr(CKA_VALUE, copy));
          } finally {
            Arrays.fill(copy, (byte) 0);
          }
          try {
            return session.wrapKey(KEY_WRAP_PAD, handle, temporary);
          } finally {
            session.destroyObject(temporary);
          }
        });
  }

  @Override
  public byte[] unwrapKeyPad(HsmKey kek, byte[] wrapped) {
    Objects.requireNonNull(kek, "kek");
    Objects.requireNonNull(wrapped, "wrapped");
    if (wrapped.length < 16 || wrapped.length % 8 != 0 || wrapped.length > MAX_WRAPPED_SECRET + 8) {
      throw new MalformedCiphertextException(
          "a CKM_AES_KEY_WRAP_PAD result is a multiple of 8 bytes from 16 to "
              + (MAX_WRAPPED_SECRET + 8)
              + ", got "
              + wrapped.length);
    }
    return integrityChecked(
        () ->
            withKey(
                kek,
                CKO_SECRET_KEY,
                "C_UnwrapKey",
                (session, handle) -> {
                  long temporary =
                      session.unwrapKey(KEY_WRAP_PAD, handle, wrapped, sessionSecret(false));
                  try {
                    byte[] value =
                        session
                            .getAttrValues(temporary, CKA_VALUE)
                            .getByteArrayAttrValue(CKA_VALUE);
                    if (value == null || value.length < 1) {
                      throw new MalformedCiphertextException("the unwrapped secret is empty");
                    }
                    return value;
                  } finally {
                    session.destroyObject(temporary);
                  }
                }));
  }

  @Override
  public void generateKeyPair(HsmKey key, KeyPairType type) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    requireSupported(type.operation());
    long keyType = type.isRsa() ? CKK_RSA : CKK_EC;
    AttributeVector publicKey =
        named(
            new AttributeVector()
                .attr(CKA_CLASS, CKO_PUBLIC_KEY)
                .attr(CKA_KEY_TYPE, keyType)
                .attr(CKA_TOKEN, true)
                .attr(CKA_PRIVATE, false)
                .attr(CKA_VERIFY, true)
                .attr(CKA_ENCRYPT, false)
                .attr(CKA_WRAP, false),
            key);
    if (type.isRsa()) {
      publicKey
          .attr(CKA_MODULUS_BITS, (long) type.bits())
          .attr(CKA_PUBLIC_EXPONENT, RSA_PUBLIC_EXPONENT.clone());
    } else {
      publicKey.attr(CKA_EC_PARAMS, PublicKeys.ecParameters(type.bits()));
    }
    AttributeVector privateKey =
        named(
            new AttributeVector()
                .attr(CKA_CLASS, CKO_PRIVATE_KEY)
                .attr(CKA_KEY_TYPE, keyType)
                .attr(CKA_TOKEN, true)
                .attr(CKA_PRIVATE, true)
                .attr(CKA_SENSITIVE, true)
                .attr(CKA_EXTRACTABLE, false)
                .attr(CKA_SIGN, true)
                .attr(CKA_DECRYPT, false)
                .attr(CKA_UNWRAP, false)
                .attr(CKA_DERIVE, false),
            key);
    Mechanism mechanism =
        new Mechanism(
            type.isRsa()
                ? PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN
                : PKCS11Constants.CKM_EC_KEY_PAIR_GEN);
    PKCS11KeyPair pair =
        creatingTokenObjects(
            "C_GenerateKeyPair",
            key,
            new long[] {CKO_PRIVATE_KEY, CKO_PUBLIC_KEY},
            session ->
                session.generateKeyPair(mechanism, new KeyPairTemplate(privateKey, publicKey)));
    handles.put(cacheKey(key, CKO_PUBLIC_KEY), pair.getPublicKey());
    handles.put(cacheKey(key, CKO_PRIVATE_KEY), pair.getPrivateKey());
  }

  @Override
  public byte[] sign(HsmKey key, SignatureAlgorithm algorithm, byte[] data) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(data, "data");
    Signing how = signing(algorithm, data);
    return AuditedOperation.of(Operation.SIGN, "pkcs11-" + BACKEND)
        .withKeyRef(key.uri(tokenLabel, "private"))
        .withRegion(tokenLabel)
        .withBytes(data.length)
        .call(
            config.auditSink(),
            () ->
                withSigningKey(
                    key,
                    (session, handle) -> session.signSingle(how.mechanism(), handle, how.input())));
  }

  @Override
  public boolean verify(HsmKey key, SignatureAlgorithm algorithm, byte[] data, byte[] signature) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(signature, "signature");
    if (signature.length == 0) {
      return false;
    }
    Signing how = signing(algorithm, data);
    return withKey(
        key,
        CKO_PUBLIC_KEY,
        "C_Verify",
        (session, handle) ->
            verified(
                () -> {
                  session.verifySingle(how.mechanism(), handle, how.input(), signature);
                  return true;
                }));
  }

  @Override
  public PublicKey publicKey(HsmKey key) {
    Objects.requireNonNull(key, "key");
    String what = "token " + tokenLabel + ", key " + key;
    return withKey(
        key,
        CKO_PUBLIC_KEY,
        "C_GetAttributeValue",
        (session, handle) -> {
          AttributeVector attributes = session.getAttrValues(handle, CKA_KEY_TYPE);
          long keyType = attributes.getLongAttrValue(CKA_KEY_TYPE);
          if (keyType == CKK_RSA) {
            AttributeVector rsa = session.getAttrValues(handle, CKA_MODULUS, CKA_PUBLIC_EXPONENT);
            return PublicKeys.rsa(
                rsa.getByteArrayAttrValue(CKA_MODULUS),
                rsa.getByteArrayAttrValue(CKA_PUBLIC_EXPONENT),
                what);
          }
          if (keyType == CKK_EC) {
            AttributeVector ec = session.getAttrValues(handle, CKA_EC_PARAMS, CKA_EC_POINT);
            return PublicKeys.ec(
                ec.getByteArrayAttrValue(CKA_EC_PARAMS),
                ec.getByteArrayAttrValue(CKA_EC_POINT),
                what);
          }
          throw new ConfigurationException(what + " is neither an EC nor an RSA key");
        });
  }

  @Override
  public void importEcPublicKey(HsmKey key, ECPublicKey publicKey) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(publicKey, "publicKey");
    byte[] parameters = PublicKeys.ecParameters(PublicKeys.ecBits(publicKey));
    byte[] encoded = PublicKeys.ecPoint(publicKey);
    // The wrapper DER-wraps CKA_EC_POINT itself on C_CreateObject, so it takes the bare point.
    byte[] point = Arrays.copyOfRange(encoded, 2, encoded.length);
    refuseDuplicate(key, CKO_PUBLIC_KEY);
    AttributeVector template =
        named(
            new AttributeVector()
                .attr(CKA_CLASS, CKO_PUBLIC_KEY)
                .attr(CKA_KEY_TYPE, CKK_EC)
                .attr(CKA_TOKEN, false)
                .attr(CKA_PRIVATE, false)
                .attr(CKA_VERIFY, true)
                .attr(CKA_ENCRYPT, false)
                .attr(CKA_WRAP, false)
                .attr(CKA_EC_PARAMS, parameters)
                .attr(CKA_EC_POINT, point),
            key);
    handles.put(
        cacheKey(key, CKO_PUBLIC_KEY),
        onSession("C_CreateObject", key, session -> session.createObject(template)));
  }

  @Override
  public void generateHmacKey(HsmKey key) {
    Objects.requireNonNull(key, "key");
    requireSupported(Capabilities.Operation.HMAC_SHA256);
    boolean generic = capabilities().mechanisms().contains("CKM_GENERIC_SECRET_KEY_GEN");
    generateSecret(
        key,
        secretKey(key, generic ? CKK_GENERIC_SECRET : CKK_AES, false).attr(CKA_VALUE_LEN, 32L),
        generic ? PKCS11Constants.CKM_GENERIC_SECRET_KEY_GEN : PKCS11Constants.CKM_AES_KEY_GEN);
  }

  @Override
  public void importHmacKey(HsmKey key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (value.length < 16 || value.length > 256) {
      throw new InvalidInputException("an HMAC key here is 16..256 bytes, got " + value.length);
    }
    requireSupported(Capabilities.Operation.HMAC_SHA256);
    importSecret(key, value, CKK_GENERIC_SECRET, false);
  }

  /** C_GenerateKey of the secret key {@code template} describes, its handle cached. */
  private void generateSecret(HsmKey key, AttributeVector template, long mechanism) {
    handles.put(
        cacheKey(key, CKO_SECRET_KEY),
        creatingTokenObjects(
            "C_GenerateKey",
            key,
            new long[] {CKO_SECRET_KEY},
            session -> session.generateKey(new Mechanism(mechanism), template)));
  }

  /**
   * C_CreateObject of a secret key holding {@code value}, its handle cached; the template's copy of
   * the value is zeroed after.
   */
  private void importSecret(HsmKey key, byte[] value, long keyType, boolean forEncryption) {
    byte[] copy = value.clone();
    try {
      AttributeVector template = secretKey(key, keyType, forEncryption).attr(CKA_VALUE, copy);
      handles.put(
          cacheKey(key, CKO_SECRET_KEY),
          creatingTokenObjects(
              "C_CreateObject",
              key,
              new long[] {CKO_SECRET_KEY},
              session -> session.createObject(template)));
    } finally {
      Arrays.fill(copy, (byte) 0);
    }
  }

  @Override
  public byte[] hmacSha256(HsmKey key, byte[] data) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    refuseEmpty(data);
    return withKey(
        key,
        CKO_SECRET_KEY,
        "C_Sign",
        (session, handle) -> session.signSingle(HMAC_SHA256, handle, data));
  }

  @Override
  public boolean verifyHmacSha256(HsmKey key, byte[] data, byte[] mac) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mac, "mac");
    refuseEmpty(data);
    if (mac.length != 32) {
      return false;
    }
    return withKey(
        key,
        CKO_SECRET_KEY,
        "C_Verify",
        (session, handle) ->
            verified(
                () -> {
                  session.verifySingle(HMAC_SHA256, handle, data, mac);
                  return true;
                }));
  }

  @Override
  public byte[] random(int length) {
    if (length < 0 || length > 1 << 20) {
      throw new InvalidInputException("random length must be 0..1048576, got " + length);
    }
    if (length == 0) {
      return new byte[0];
    }
    return onSession(
        "C_GenerateRandom", "token " + tokenLabel, session -> session.generateRandom(length));
  }

  /** Returns the token's sessions; the module stays loaded for the JVM's life. */
  @Override
  public void close() {
    handles.clear();
    signingCopies.clear();
    sessions.closeIdle();
  }

  @Override
  public String toString() {
    return "IaikHsm[" + config + "]";
  }

  // --- keys and calls ---------------------------------------------------------------------

  @FunctionalInterface
  private interface TokenCall<T> {
    T run() throws TokenException;
  }

  @FunctionalInterface
  private interface KeyCall<T> {
    T apply(Session session, long handle) throws TokenException;
  }

  @FunctionalInterface
  private interface SessionCall<T> {
    T apply(Session session) throws TokenException;
  }

  /** Runs {@code call} with {@code key}'s handle, finding it again once if the token dropped it. */
  private <T> T withKey(HsmKey key, long type, String function, KeyCall<T> call) {
    String name = cacheKey(key, type);
    Long cached = handles.get(name);
    long handle = cached != null ? cached : findOne(key, type);
    try {
      return onSession(function, key, session -> call.apply(session, handle));
    } catch (CryptoException e) {
      if (cached == null || !staleHandle(e)) {
        throw e;
      }
      handles.remove(name, cached);
      long fresh = findOne(key, type);
      return onSession(function, key, session -> call.apply(session, fresh));
    }
  }

  /**
   * Runs {@code call} on one of this backend's sessions, repaired once as {@link Sessions} says.
   */
  private <T> T onSession(String function, Object what, SessionCall<T> call) {
    try {
      return sessions.run(call, true);
    } catch (TokenException e) {
      throw failure(
          function, e, what instanceof HsmKey key ? "token " + tokenLabel + ", key " + key : what);
    }
  }

  /**
   * Runs {@code call} with the handle that signs for {@code key}: its private key, or where the
   * module re-reads token objects on use, a session copy of it (made here on first use, made again
   * when the session that held it closed).
   */
  private <T> T withSigningKey(HsmKey key, KeyCall<T> call) {
    if (!signWithSessionCopies) {
      return withKey(key, CKO_PRIVATE_KEY, "C_Sign", call);
    }
    Long copy = signingCopies.get(key);
    if (copy != null) {
      try {
        return onSession("C_Sign", key, session -> call.apply(session, copy));
      } catch (CryptoException e) {
        if (!staleHandle(e)) {
          throw e;
        }
        signingCopies.remove(key, copy);
      }
    }
    return withKey(
        key,
        CKO_PRIVATE_KEY,
        "C_Sign",
        (session, handle) -> {
          long signer;
          synchronized (signingCopies) {
            Long earlier = signingCopies.get(key);
            signer = earlier != null ? earlier : session.copyObject(handle, SIGNING_COPY);
            signingCopies.put(key, signer);
          }
          return call.apply(session, signer);
        });
  }

  /** Destroys a session copy that may already be gone with its session. */
  private static void destroyQuietly(Session session, long object) {
    try {
      session.destroyObject(object);
    } catch (TokenException e) {
      // Gone with its session already, or the token is unreachable and will drop it when the
      // session closes.
    }
  }

  /**
   * The wrapper hands an empty message to the module as a null pointer, which SoftHSM2 refuses as
   * CKR_ARGUMENTS_BAD and then keeps the session's operation active; so it never gets there.
   */
  private static void refuseEmpty(byte[] data) {
    if (data.length == 0) {
      throw new InvalidInputException(
          "the iaik backend cannot MAC an empty message (its wrapper passes it to the module as a"
              + " null pointer); use the ffm or sunpkcs11 backend");
    }
  }

  /** GCM of an empty message: the tag alone, from C_EncryptFinal. */
  private static byte[] encryptEmpty(Session session, Mechanism mechanism, long handle)
      throws TokenException {
    session.encryptInit(mechanism, handle);
    return session.encryptFinal();
  }

  private static boolean staleHandle(CryptoException e) {
    return ReturnCode.of(e)
        .filter(
            code ->
                code == ReturnCode.CKR_KEY_HANDLE_INVALID
                    || code == ReturnCode.CKR_OBJECT_HANDLE_INVALID
                    || code == ReturnCode.CKR_WRAPPING_KEY_HANDLE_INVALID
                    || code == ReturnCode.CKR_UNWRAPPING_KEY_HANDLE_INVALID)
        .isPresent();
  }

  private long findOne(HsmKey key, long type) {
    long[] found =
        onSession(
            "C_FindObjects",
            key,
            session -> {
              long[] visible = find(session, key, type, 2);
              if (visible.length == 0
                  && config.pinSource() != PinSource.NONE
                  && Sessions.loggedOut(session)) {
                // Private keys are invisible until the user logs in again.
                sessions.logIn(session);
                visible = find(session, key, type, 2);
              }
              return visible;
            });
    String description =
        type == CKO_SECRET_KEY
            ? "secret key"
            : type == CKO_PRIVATE_KEY ? "private key" : "public key";
    if (found.length == 0) {
      throw MissingKey.failure("token " + tokenLabel + " holds no " + description + " " + key);
    }
    if (found.length > 1) {
      throw new ConfigurationException(
          "token "
              + tokenLabel
              + " holds several "
              + description
              + "s "
              + key
              + "; give each a distinct label or id");
    }
    handles.put(cacheKey(key, type), found[0]);
    return found[0];
  }

  private long[] find(Session session, HsmKey key, long type, int max) throws TokenException {
    AttributeVector template = named(new AttributeVector().attr(CKA_CLASS, type), key);
    return objectStoreLock.searching(() -> session.findObjectsSingle(template, max));
  }

  /**
   * {@code call}, which creates or destroys token objects, with no search of the token running
   * alongside where the module would lose the object (FIND_RACES_TOKEN_OBJECT_CREATION). The lock
   * is taken once the session is borrowed, so its holder never waits for a session.
   */
  private <T> SessionCall<T> changingTokenObjects(SessionCall<T> call) {
    return session -> objectStoreLock.changing(() -> call.apply(session));
  }

  /**
   * {@code call}, which creates token objects named {@code key}, under {@link
   * #changingTokenObjects}; on the same session and under the same lock it first checks that the
   * token holds no object of {@code types} by that name, so no other call of the process can slip
   * one in between. A duplicate is refused once the session is back in the pool: a refusal inside
   * the call would close the session, and the session objects made on it with it.
   */
  private <T> T creatingTokenObjects(
      String function, HsmKey key, long[] types, SessionCall<T> call) {
    HsmKey[] duplicate = new HsmKey[1];
    T made =
        onSession(
            function,
            key,
            changingTokenObjects(
                session -> {
                  for (long type : types) {
                    duplicate[0] = duplicateOf(session, key, type);
                    if (duplicate[0] != null) {
                      return null;
                    }
                  }
                  return call.apply(session);
                }));
    refuseDuplicate(duplicate[0]);
    return made;
  }

  private void refuseDuplicate(HsmKey key, long type) {
    refuseDuplicate(onSession("C_FindObjects", key, session -> duplicateOf(session, key, type)));
  }

  private void refuseDuplicate(HsmKey duplicate) {
    if (duplicate != null) {
      throw new InvalidInputException(
          "token " + tokenLabel + " already holds an object " + duplicate);
    }
  }

  /** The label or the id of {@code key} that names an object of {@code type} already, or null. */
  private HsmKey duplicateOf(Session session, HsmKey key, long type) throws TokenException {
    for (HsmKey part :
        new HsmKey[] {
          key.label().map(HsmKey::label).orElse(null), key.id().map(HsmKey::id).orElse(null)
        }) {
      if (part != null && find(session, part, type, 1).length > 0) {
        return part;
      }
    }
    return null;
  }

  private static String cacheKey(HsmKey key, long type) {
    return type + "/" + key;
  }

  private static AttributeVector named(AttributeVector template, HsmKey key) {
    key.label().ifPresent(label -> template.attr(CKA_LABEL, label));
    key.id().ifPresent(id -> template.attr(CKA_ID, id));
    return template;
  }

  private static AttributeVector secretKey(HsmKey key, long keyType, boolean forEncryption) {
    return named(
        new AttributeVector()
            .attr(CKA_CLASS, CKO_SECRET_KEY)
            .attr(CKA_KEY_TYPE, keyType)
            .attr(CKA_TOKEN, true)
            .attr(CKA_PRIVATE, true)
            .attr(CKA_SENSITIVE, true)
            .attr(CKA_EXTRACTABLE, false)
            .attr(CKA_ENCRYPT, forEncryption)
            .attr(CKA_DECRYPT, forEncryption)
            .attr(CKA_WRAP, forEncryption)
            .attr(CKA_UNWRAP, forEncryption)
            .attr(CKA_SIGN, !forEncryption)
            .attr(CKA_VERIFY, !forEncryption),
        key);
  }

  /** A session-only generic secret that key wrap can take out of the token. */
  private static AttributeVector sessionSecret(boolean sensitive) {
    return new AttributeVector()
        .attr(CKA_CLASS, CKO_SECRET_KEY)
        .attr(CKA_KEY_TYPE, CKK_GENERIC_SECRET)
        .attr(CKA_TOKEN, false)
        .attr(CKA_PRIVATE, true)
        .attr(CKA_SENSITIVE, sensitive)
        .attr(CKA_EXTRACTABLE, true);
  }

  private static Mechanism gcm(byte[] iv, byte[] aad) {
    return new Mechanism(PKCS11Constants.CKM_AES_GCM, new GCM_PARAMS(iv.clone(), aad.clone(), 128));
  }

  private static void checkGcmArguments(HsmKey key, byte[] iv, byte[] aad) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(iv, "iv");
    Objects.requireNonNull(aad, "aad (use an empty array for none)");
    if (iv.length < 1 || iv.length > 256) {
      throw new InvalidInputException("an AES-GCM IV must be 1..256 bytes, got " + iv.length);
    }
  }

  /** A signature mechanism and its input: the data, or a digest where the token cannot hash. */
  private record Signing(Mechanism mechanism, byte[] input) {}

  /**
   * The mechanisms for one algorithm, built once: {@code combined} hashes in the token (null where
   * the token lacks it), {@code raw} signs a digest made here.
   */
  private record SignMechanism(Mechanism combined, Mechanism raw) {}

  private Signing signing(SignatureAlgorithm algorithm, byte[] data) {
    requireSupported(
        algorithm.isRsa() ? Capabilities.Operation.RSA : Capabilities.Operation.EC_P256);
    SignMechanism how = signMechanisms.computeIfAbsent(algorithm, this::signMechanism);
    // The wrapper hands empty input to the module as a null pointer, which modules refuse.
    if (how.combined() != null && data.length > 0) {
      return new Signing(how.combined(), data);
    }
    byte[] digest;
    try {
      digest = MessageDigest.getInstance(algorithm.digest()).digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has " + algorithm.digest(), e);
    }
    if (how.raw().getMechanismCode() != PKCS11Constants.CKM_RSA_PKCS) {
      return new Signing(how.raw(), digest);
    }
    byte[] digestInfo =
        Arrays.copyOf(SHA256_DIGEST_INFO, SHA256_DIGEST_INFO.length + digest.length);
    System.arraycopy(digest, 0, digestInfo, SHA256_DIGEST_INFO.length, digest.length);
    return new Signing(how.raw(), digestInfo);
  }

  private SignMechanism signMechanism(SignatureAlgorithm algorithm) {
    long combined =
        switch (algorithm) {
          case ECDSA_SHA256 -> PKCS11Constants.CKM_ECDSA_SHA256;
          case ECDSA_SHA384 -> PKCS11Constants.CKM_ECDSA_SHA384;
          case RSA_PSS_SHA256 -> PKCS11Constants.CKM_SHA256_RSA_PKCS_PSS;
          case RSA_PSS_SHA384 -> PKCS11Constants.CKM_SHA384_RSA_PKCS_PSS;
          case RSA_PKCS1_SHA256 -> PKCS11Constants.CKM_SHA256_RSA_PKCS;
        };
    long raw =
        switch (algorithm) {
          case ECDSA_SHA256, ECDSA_SHA384 -> PKCS11Constants.CKM_ECDSA;
          case RSA_PSS_SHA256, RSA_PSS_SHA384 -> PKCS11Constants.CKM_RSA_PKCS_PSS;
          case RSA_PKCS1_SHA256 -> PKCS11Constants.CKM_RSA_PKCS;
        };
    return new SignMechanism(
        offers(combined, PKCS11Constants.CKF_SIGN) ? mechanism(algorithm, combined) : null,
        mechanism(algorithm, raw));
  }

  private static Mechanism mechanism(SignatureAlgorithm algorithm, long type) {
    if (algorithm != SignatureAlgorithm.RSA_PSS_SHA256
        && algorithm != SignatureAlgorithm.RSA_PSS_SHA384) {
      return new Mechanism(type);
    }
    boolean sha256 = algorithm.digest().equals("SHA-256");
    return new Mechanism(
        type,
        new RSA_PKCS_PSS_PARAMS(
            sha256 ? PKCS11Constants.CKM_SHA256 : PKCS11Constants.CKM_SHA384,
            sha256 ? PKCS11Constants.CKG_MGF1_SHA256 : PKCS11Constants.CKG_MGF1_SHA384,
            algorithm.digestLength()));
  }

  /** A verification whose "no" the wrapper reports as CKR_SIGNATURE_INVALID/LEN_RANGE. */
  private static boolean verified(TokenCall<Boolean> verify) throws TokenException {
    try {
      return verify.run();
    } catch (PKCS11Exception e) {
      if (e.getErrorCode() == PKCS11Constants.CKR_SIGNATURE_INVALID
          || e.getErrorCode() == PKCS11Constants.CKR_SIGNATURE_LEN_RANGE) {
        return false;
      }
      throw e;
    }
  }

  private void requireSupported(Capabilities.Operation operation) {
    String reason = capabilities().unavailable().get(operation);
    if (reason != null) {
      throw new ConfigurationException(reason);
    }
  }

  /**
   * Why CKM_AES_KEY_WRAP_PAD, listed by the token, cannot be used: {@link KeyWrapProbe} under a
   * session KEK made for it and destroyed after.
   */
  private Optional<String> keyWrapRefusal() {
    HsmKey trialKek = HsmKey.label("plugsky-key-wrap-probe-" + UUID.randomUUID());
    AttributeVector template =
        named(
            new AttributeVector()
                .attr(CKA_CLASS, CKO_SECRET_KEY)
                .attr(CKA_KEY_TYPE, CKK_AES)
                .attr(CKA_TOKEN, false)
                .attr(CKA_PRIVATE, true)
                .attr(CKA_SENSITIVE, true)
                .attr(CKA_EXTRACTABLE, false)
                .attr(CKA_WRAP, true)
                .attr(CKA_UNWRAP, true)
                .attr(CKA_VALUE_LEN, 32L),
            trialKek);
    return KeyWrapProbe.refusal(
        () ->
            handles.put(
                cacheKey(trialKek, CKO_SECRET_KEY),
                onSession(
                    "C_GenerateKey",
                    trialKek,
                    session ->
                        session.generateKey(
                            new Mechanism(PKCS11Constants.CKM_AES_KEY_GEN), template))),
        secret -> wrapKeyPad(trialKek, secret),
        wrapped -> unwrapKeyPad(trialKek, wrapped),
        () -> destroyKey(trialKek));
  }

  private Capabilities readCapabilities() {
    Map<Capabilities.Operation, String> unavailable = new EnumMap<>(Capabilities.Operation.class);
    require(
        unavailable,
        Capabilities.Operation.AES_GCM,
        "CKM_AES_GCM encrypt and decrypt",
        PKCS11Constants.CKM_AES_GCM,
        PKCS11Constants.CKF_ENCRYPT | PKCS11Constants.CKF_DECRYPT);
    require(
        unavailable,
        Capabilities.Operation.AES_KEY_WRAP_PAD,
        "CKM_AES_KEY_WRAP_PAD wrap and unwrap",
        PKCS11Constants.CKM_AES_KEY_WRAP_PAD,
        PKCS11Constants.CKF_WRAP | PKCS11Constants.CKF_UNWRAP);
    if (!unavailable.containsKey(Capabilities.Operation.AES_KEY_WRAP_PAD)) {
      keyWrapRefusal()
          .ifPresent(reason -> unavailable.put(Capabilities.Operation.AES_KEY_WRAP_PAD, reason));
    }
    require(
        unavailable,
        Capabilities.Operation.EC_P256,
        "CKM_ECDSA sign and verify",
        PKCS11Constants.CKM_ECDSA,
        PKCS11Constants.CKF_SIGN | PKCS11Constants.CKF_VERIFY);
    require(
        unavailable,
        Capabilities.Operation.EC_P256,
        "CKM_EC_KEY_PAIR_GEN",
        PKCS11Constants.CKM_EC_KEY_PAIR_GEN,
        PKCS11Constants.CKF_GENERATE_KEY_PAIR);
    if (unavailable.containsKey(Capabilities.Operation.EC_P256)) {
      unavailable.put(
          Capabilities.Operation.EC_P384, unavailable.get(Capabilities.Operation.EC_P256));
    }
    require(
        unavailable,
        Capabilities.Operation.RSA,
        "CKM_RSA_PKCS_PSS sign and verify",
        PKCS11Constants.CKM_RSA_PKCS_PSS,
        PKCS11Constants.CKF_SIGN | PKCS11Constants.CKF_VERIFY);
    require(
        unavailable,
        Capabilities.Operation.RSA,
        "CKM_RSA_PKCS_KEY_PAIR_GEN",
        PKCS11Constants.CKM_RSA_PKCS_KEY_PAIR_GEN,
        PKCS11Constants.CKF_GENERATE_KEY_PAIR);
    require(
        unavailable,
        Capabilities.Operation.HMAC_SHA256,
        "CKM_SHA256_HMAC sign and verify",
        PKCS11Constants.CKM_SHA256_HMAC,
        PKCS11Constants.CKF_SIGN | PKCS11Constants.CKF_VERIFY);
    return new Capabilities(
        BACKEND, tokenLabel, TokenDirectory.mechanisms(config.modulePath(), slot), unavailable);
  }

  private void require(
      Map<Capabilities.Operation, String> unavailable,
      Capabilities.Operation operation,
      String what,
      long mechanism,
      long flags) {
    if (!offers(mechanism, flags)) {
      unavailable.putIfAbsent(operation, "the token offers no " + what);
    }
  }

  private boolean offers(long mechanism, long flags) {
    MechanismInfo info;
    try {
      info = token().getMechanismInfo(mechanism);
    } catch (TokenException e) {
      throw failure("C_GetMechanismInfo", e, "token " + tokenLabel);
    }
    return info != null && (info.getFlags() & flags) == flags;
  }

  private <T> T integrityChecked(Supplier<T> call) {
    try {
      return call.get();
    } catch (CryptoException e) {
      if (generalErrorMeansIntegrityFailure
          && ReturnCode.of(e).orElse(null) == ReturnCode.CKR_GENERAL_ERROR) {
        throw new AuthenticationFailedException(
            e.getMessage()
                + ": this module reports a failed tag or integrity check so (wrong key, wrong"
                + " associated data, or modified bytes)",
            e);
      }
      throw e;
    }
  }

  /**
   * The sessions every call runs on: at most {@code maxSessions} open at a time (callers wait up to
   * {@code borrowTimeout}), idle ones reused most recent first, and one checked with
   * C_GetSessionInfo before reuse when it sat idle for {@code validateAfterIdle} or longer. A new
   * session logs the user in on this Hsm's first use and whenever the token no longer has the login
   * (it closed every session). An operation's calls (key wrap makes three) share one checkout.
   *
   * <p>A call that fails because its session or the login went away is repaired and run once more:
   * {@code CKR_SESSION_HANDLE_INVALID}, {@code CKR_SESSION_CLOSED} and {@code CKR_OPERATION_ACTIVE}
   * drop every idle session (a module closes them together) and open a new one; {@code
   * CKR_USER_NOT_LOGGED_IN} logs in again; {@code CKR_DEVICE_REMOVED} and {@code
   * CKR_TOKEN_NOT_PRESENT} also find the token again, in its slot or by its label. A second failure
   * is reported as it is.
   */
  private final class Sessions {
    private record Idle(Session session, long since) {}

    private final Semaphore permits = new Semaphore(config.maxSessions());
    private final Deque<Idle> idle = new ConcurrentLinkedDeque<>();
    private final long validateAfterNanos = config.validateAfterIdle().toNanos();

    /**
     * Whether this Hsm logged in once: its first session logs in (and audits it) even where another
     * user of the process already has the token's login.
     */
    private volatile boolean loggedIn;

    <T> T run(SessionCall<T> call, boolean repairOnce) throws TokenException {
      Session session = borrow();
      T result;
      try {
        result = call.apply(session);
      } catch (PKCS11Exception e) {
        long code = e.getErrorCode();
        if (code == PKCS11Constants.CKR_SESSION_HANDLE_INVALID
            || code == PKCS11Constants.CKR_SESSION_CLOSED
            || code == PKCS11Constants.CKR_OPERATION_ACTIVE
            || code == PKCS11Constants.CKR_DEVICE_REMOVED
            || code == PKCS11Constants.CKR_TOKEN_NOT_PRESENT) {
          discard(session);
          if (code != PKCS11Constants.CKR_OPERATION_ACTIVE) {
            closeIdle();
          }
          if (code == PKCS11Constants.CKR_DEVICE_REMOVED
              || code == PKCS11Constants.CKR_TOKEN_NOT_PRESENT) {
            forgetToken();
          }
          if (repairOnce) {
            return run(call, false);
          }
          throw e;
        }
        if (code == PKCS11Constants.CKR_USER_NOT_LOGGED_IN && repairOnce) {
          try {
            logIn(session);
          } finally {
            giveBack(session);
          }
          return run(call, false);
        }
        giveBack(session);
        throw e;
      } catch (TokenException | RuntimeException | Error e) {
        discard(session);
        throw e;
      }
      giveBack(session);
      return result;
    }

    private Session borrow() throws TokenException {
      try {
        if (!permits.tryAcquire(config.borrowTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
          throw new KeyUnavailableException(
              "all "
                  + config.maxSessions()
                  + " sessions of token "
                  + tokenLabel
                  + " stayed busy for "
                  + config.borrowTimeout());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KeyUnavailableException(
            "interrupted while waiting for a session of token " + tokenLabel, e);
      }
      try {
        for (Idle candidate = idle.pollFirst(); candidate != null; candidate = idle.pollFirst()) {
          if (System.nanoTime() - candidate.since() < validateAfterNanos
              || alive(candidate.session())) {
            return candidate.session();
          }
          closeQuietly(candidate.session());
        }
        return open();
      } catch (TokenException | RuntimeException e) {
        permits.release();
        throw e;
      }
    }

    private Session open() throws TokenException {
      Session session;
      try {
        session = token().openSession(true);
      } catch (PKCS11Exception e) {
        // With no session left to fail a call, this is where a token that went away shows.
        if (e.getErrorCode() == PKCS11Constants.CKR_DEVICE_REMOVED
            || e.getErrorCode() == PKCS11Constants.CKR_TOKEN_NOT_PRESENT
            || e.getErrorCode() == PKCS11Constants.CKR_SLOT_ID_INVALID) {
          forgetToken();
        }
        throw e;
      }
      try {
        if (config.pinSource() != PinSource.NONE && (!loggedIn || loggedOut(session))) {
          logIn(session);
        }
        return session;
      } catch (TokenException | RuntimeException e) {
        closeQuietly(session);
        throw e;
      }
    }

    private static boolean loggedOut(Session session) throws TokenException {
      long state = session.getSessionInfo().getState();
      return state == PKCS11Constants.CKS_RW_PUBLIC_SESSION
          || state == PKCS11Constants.CKS_RO_PUBLIC_SESSION;
    }

    private static boolean alive(Session session) {
      try {
        session.getSessionInfo();
        return true;
      } catch (PKCS11Exception e) {
        return false;
      }
    }

    private void giveBack(Session session) {
      idle.offerFirst(new Idle(session, System.nanoTime()));
      permits.release();
    }

    private void discard(Session session) {
      closeQuietly(session);
      permits.release();
    }

    private static void closeQuietly(Session session) {
      try {
        session.closeSession();
      } catch (PKCS11Exception e) {
        // Already closed by the token.
      }
    }

    /**
     * The login is per application: any session logs in for all of them, first or again after the
     * token dropped it.
     */
    private void logIn(Session session) {
      synchronized (loginLock) {
        loginGate.requireOpen();
        try {
          AuditedOperation.of(Operation.HSM_LOGIN, "pkcs11-" + BACKEND)
              .withRegion(tokenLabel)
              .call(
                  config.auditSink(),
                  () -> {
                    char[] pin = config.pinSource().pin();
                    try {
                      session.login(PKCS11Constants.CKU_USER, pin);
                    } catch (PKCS11Exception e) {
                      if (e.getErrorCode() != PKCS11Constants.CKR_USER_ALREADY_LOGGED_IN) {
                        throw failure("C_Login", e, "token " + tokenLabel);
                      }
                    } finally {
                      if (pin != null) {
                        Arrays.fill(pin, '\0');
                      }
                    }
                    return null;
                  });
          loggedIn = true;
        } catch (RuntimeException e) {
          throw loginGate.observe(e);
        }
      }
    }

    void closeIdle() {
      for (Idle dropped = idle.pollFirst(); dropped != null; dropped = idle.pollFirst()) {
        closeQuietly(dropped.session());
      }
    }
  }

  /**
   * The wrapper's log, sent to {@link System.Logger} (its info as DEBUG); its debug and trace
   * output, which may show templates, stays off.
   */
  private static final class WrapperLog implements org.xipki.pkcs11.wrapper.Logger {
    private static final System.Logger LOG = System.getLogger("com.plugsky.crypto.pkcs11.iaik");

    private static String format(String format, Object... arguments) {
      StringBuilder out = new StringBuilder();
      int from = 0;
      for (Object argument : arguments) {
        int at = format.indexOf("{}", from);
        if (at < 0) {
          break;
        }
        out.append(format, from, at).append(argument);
        from = at + 2;
      }
      return out.append(format.substring(from)).toString();
    }

    @Override
    public void info(String format, Object... arguments) {
      LOG.log(System.Logger.Level.DEBUG, () -> format(format, arguments));
    }

    @Override
    public void warn(String format, Object... arguments) {
      LOG.log(System.Logger.Level.WARNING, () -> format(format, arguments));
    }

    @Override
    public void error(String format, Object... arguments) {
      LOG.log(System.Logger.Level.ERROR, () -> format(format, arguments));
    }

    @Override
    public void debug(String format, Object... arguments) {}

    @Override
    public void trace(String format, Object... arguments) {}

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return LOG.isLoggable(System.Logger.Level.DEBUG);
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }
  }

  /** The typed exception for a wrapper failure, with the PKCS#11 code where it has one. */
  private static CryptoException failure(String function, TokenException e, Object what) {
    if (e instanceof PKCS11Exception p11) {
      CryptoException typed =
          ReturnCode.failure(function, p11.getErrorCode(), String.valueOf(what));
      typed.addSuppressed(e);
      return typed;
    }
    return new KeyUnavailableException(
        function + " failed through the iaik wrapper: " + e.getMessage() + " (" + what + ")", e);
  }
}
