package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_GCM_PARAMS;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_MECHANISM;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_SESSION_INFO;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.POINTER;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.rethrow;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditSink;
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
import com.plugsky.crypto.pkcs11.ffm.Tokens.Token;
import com.plugsky.crypto.primitive.Bytes;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@code ffm} backend: the library's own java.lang.foreign binding of the PKCS#11 C API (see
 * {@link Cryptoki} for layouts and loading). Sessions come from a {@link SessionPool} bound to the
 * token; the user logs in once per token (PKCS#11 shares a login among all of an application's
 * sessions) and again only when the token has forgotten it, never again once the token refused the
 * PIN (see {@link LoginGate}). Object handles are cached per {@link HsmKey} and looked up again
 * when the token calls one invalid.
 */
public final class FfmHsm implements Hsm {
  static final String BACKEND = "ffm";
  private static final int GCM_TAG_BYTES = 16;
  private static final int MAX_WRAPPED_SECRET = 1024;
  private static final int MAX_SIGNATURE = 1024;
  private static final int HMAC_SHA256 = 32;
  private static final byte[] RSA_PUBLIC_EXPONENT = {1, 0, 1};
  private static final long ATTRIBUTE_LENGTH = CK_ULONG.byteSize() + POINTER.byteSize();
  private static final long GCM_IV = CK_GCM_PARAMS.byteOffset(groupElement("pIv"));
  private static final long GCM_IV_LENGTH = CK_GCM_PARAMS.byteOffset(groupElement("ulIvLen"));
  private static final long GCM_IV_BITS = CK_GCM_PARAMS.byteOffset(groupElement("ulIvBits"));
  private static final long GCM_AAD = CK_GCM_PARAMS.byteOffset(groupElement("pAAD"));
  private static final long GCM_AAD_LENGTH = CK_GCM_PARAMS.byteOffset(groupElement("ulAADLen"));
  private static final long GCM_TAG_BITS = CK_GCM_PARAMS.byteOffset(groupElement("ulTagBits"));
  private static final long SESSION_STATE = CK_SESSION_INFO.byteOffset(groupElement("state"));

  private final Cryptoki ck;
  private final HsmConfig config;
  private final boolean generalErrorMeansIntegrityFailure;
  private final boolean keyWrapPadPadsInput;
  private final boolean signWithSessionCopies;
  private final Map<Cached, Long> handles = new ConcurrentHashMap<>();

  /** Session copies of private keys that sign in their place (TOKEN_OBJECTS_REREAD_ON_USE). */
  private final Map<HsmKey, Long> signingCopies = new ConcurrentHashMap<>();

  /**
   * Keeps searches away from calls that create or destroy token objects
   * (FIND_RACES_TOKEN_OBJECT_CREATION) where the module needs it. Those calls take it with their
   * session already borrowed, so its holder never waits for a session, and make their duplicate
   * check under it.
   */
  private final TokenObjectLock tokenObjectLock;

  private final Object loginLock = new Object();
  private final LoginGate loginGate;
  private final Sessions sessions = new Sessions();
  private final SessionPool pool;
  private volatile Token token;
  private volatile Capabilities capabilities;
  private final Map<SignatureAlgorithm, SignMechanism> signMechanisms = new ConcurrentHashMap<>();
  private final Map<HsmKey, String> auditUris = new ConcurrentHashMap<>();

  private FfmHsm(Cryptoki ck, HsmConfig config) {
    this.ck = ck;
    this.config = config;
    boolean softHsm = ck.manufacturer.startsWith("SoftHSM");
    this.generalErrorMeansIntegrityFailure =
        softHsm || config.quirks().contains(Quirk.GENERAL_ERROR_ON_INTEGRITY_FAILURE);
    this.keyWrapPadPadsInput = softHsm || config.quirks().contains(Quirk.KEY_WRAP_PAD_PADS_INPUT);
    this.signWithSessionCopies =
        softHsm || config.quirks().contains(Quirk.TOKEN_OBJECTS_REREAD_ON_USE);
    this.token = findToken();
    this.tokenObjectLock =
        softHsm || config.quirks().contains(Quirk.FIND_RACES_TOKEN_OBJECT_CREATION)
            ? TokenObjectLock.of(config.modulePath(), token.label())
            : TokenObjectLock.none();
    this.loginGate = new LoginGate(token.label());
    this.pool =
        new SessionPool(
            sessions,
            config.maxSessions(),
            config.borrowTimeout(),
            config.validateAfterIdle(),
            System::nanoTime);
  }

  /**
   * Loads the module (once per JVM), finds the token and checks it is present; the first session
   * and login wait for the first call.
   */
  public static FfmHsm open(HsmConfig config) {
    Objects.requireNonNull(config, "config");
    return new FfmHsm(Cryptoki.load(config.modulePath()), config);
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
    return pool.call(borrowed -> findAll(borrowed.handle, key, ObjectClass.SECRET_KEY).size() == 1);
  }

  @Override
  public void destroyKey(HsmKey key) {
    Objects.requireNonNull(key, "key");
    pool.call(
        borrowed ->
            tokenObjectLock.changing(
                () -> {
                  long session = borrowed.handle;
                  // Atomic with making a signing copy, so no copy of a destroyed key survives.
                  synchronized (signingCopies) {
                    destroySigningCopy(session, key);
                    int destroyed = 0;
                    for (ObjectClass type : ObjectClass.values()) {
                      for (long object : findAll(session, key, type)) {
                        long rv;
                        try {
                          rv = (long) ck.destroyObject.invokeExact(session, object);
                        } catch (Throwable e) {
                          throw rethrow(e);
                        }
                        check("C_DestroyObject", rv, key);
                        destroyed++;
                      }
                      handles.remove(new Cached(key, type));
                    }
                    if (destroyed == 0) {
                      throw MissingKey.failure(
                          "token " + token.label() + " holds no object named " + key);
                    }
                    return null;
                  }
                }));
  }

  @Override
  public void generateAesKey(HsmKey key) {
    Objects.requireNonNull(key, "key");
    pool.call(
        borrowed ->
            tokenObjectLock.changing(
                () -> {
                  long session = borrowed.handle;
                  refuseDuplicate(session, key, ObjectClass.SECRET_KEY);
                  try (Arena arena = Arena.ofConfined()) {
                    Template template =
                        aesKeyTemplate(arena, key, true).ulong(Ck.CKA_VALUE_LEN, 32);
                    generateSecretKey(session, arena, key, template, Ck.CKM_AES_KEY_GEN);
                    return null;
                  }
                }));
  }

  @Override
  public void importAesKey(HsmKey key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (value.length != 16 && value.length != 24 && value.length != 32) {
      throw new InvalidInputException("an AES key is 16, 24 or 32 bytes, got " + value.length);
    }
    importSecret(key, arena -> aesKeyTemplate(arena, key, true).secret(Ck.CKA_VALUE, value));
  }

  @Override
  public byte[] encryptAesGcm(HsmKey key, byte[] iv, byte[] plaintext, byte[] aad) {
    Objects.requireNonNull(plaintext, "plaintext");
    checkGcmArguments(key, iv, aad);
    return withKey(
        key,
        (session, handle) -> {
          Scratch memory = session.scratch;
          check(
              "C_EncryptInit",
              initCall(ck.encryptInit, session.handle, gcmMechanism(memory, iv, aad), handle),
              key);
          return cryptCall(
              "C_Encrypt", ck.encrypt, session, plaintext, plaintext.length + GCM_TAG_BYTES, key);
        });
  }

  @Override
  public byte[] decryptAesGcm(HsmKey key, byte[] iv, byte[] ciphertextAndTag, byte[] aad) {
    Objects.requireNonNull(ciphertextAndTag, "ciphertextAndTag");
    checkGcmArguments(key, iv, aad);
    if (ciphertextAndTag.length < GCM_TAG_BYTES) {
      throw new MalformedCiphertextException(
          "AES-GCM ciphertext is "
              + ciphertextAndTag.length
              + " bytes, shorter than its 16-byte tag");
    }
    return withKey(
        key,
        (session, handle) -> {
          check(
              "C_DecryptInit",
              initCall(
                  ck.decryptInit, session.handle, gcmMechanism(session.scratch, iv, aad), handle),
              key);
          // SoftHSM2 wants room for the whole input, tag included, before it will decrypt.
          return integrityChecked(
              () ->
                  cryptCall(
                      "C_Decrypt",
                      ck.decrypt,
                      session,
                      ciphertextAndTag,
                      ciphertextAndTag.length,
                      key));
        });
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
        (session, handle) -> {
          Scratch memory = session.scratch;
          Template template = sessionSecret(memory, true).secret(Ck.CKA_VALUE, secret);
          long temporary = createObject(session, template, kek);
          try {
            MemorySegment mechanism =
                mechanism(memory, Ck.CKM_AES_KEY_WRAP_PAD, MemorySegment.NULL, 0);
            int wrappedLength = (secret.length + 7) / 8 * 8 + 8;
            MemorySegment out = memory.allocate(wrappedLength);
            MemorySegment outLength = memory.allocate(CK_ULONG);
            outLength.set(CK_ULONG, 0, wrappedLength);
            long rv;
            try {
              rv =
                  (long)
                      ck.wrapKey.invokeExact(
                          session.handle, mechanism, handle, temporary, out, outLength);
            } catch (Throwable e) {
              throw rethrow(e);
            }
            check("C_WrapKey", rv, kek);
            return out.asSlice(0, outLength.get(CK_ULONG, 0)).toArray(JAVA_BYTE);
          } finally {
            destroyQuietly(session.handle, temporary);
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
    return withKey(
        kek,
        (session, handle) -> {
          Scratch memory = session.scratch;
          Template template = sessionSecret(memory, false);
          MemorySegment mechanism =
              mechanism(memory, Ck.CKM_AES_KEY_WRAP_PAD, MemorySegment.NULL, 0);
          MemorySegment in = memory.allocateFrom(JAVA_BYTE, wrapped);
          MemorySegment unwrapped = memory.allocate(CK_ULONG);
          long temporary =
              integrityChecked(
                  () -> {
                    long rv;
                    try {
                      rv =
                          (long)
                              ck.unwrapKey.invokeExact(
                                  session.handle,
                                  mechanism,
                                  handle,
                                  in,
                                  (long) wrapped.length,
                                  template.segment(),
                                  (long) template.count(),
                                  unwrapped);
                    } catch (Throwable e) {
                      throw rethrow(e);
                    }
                    check("C_UnwrapKey", rv, kek);
                    return unwrapped.get(CK_ULONG, 0);
                  });
          try {
            // The secret is at most the wrapped length less the 8-byte integrity block.
            return readValue(session, temporary, wrapped.length - 8, kek);
          } finally {
            destroyQuietly(session.handle, temporary);
          }
        });
  }

  @Override
  public void generateKeyPair(HsmKey key, KeyPairType type) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(type, "type");
    requireSupported(type.operation());
    pool.call(
        borrowed ->
            tokenObjectLock.changing(
                () -> {
                  long session = borrowed.handle;
                  refuseDuplicate(session, key, ObjectClass.PRIVATE_KEY, ObjectClass.PUBLIC_KEY);
                  try (Arena arena = Arena.ofConfined()) {
                    long keyType = type.isRsa() ? Ck.CKK_RSA : Ck.CKK_EC;
                    Template publicKey =
                        new Template(arena)
                            .ulong(Ck.CKA_CLASS, ObjectClass.PUBLIC_KEY.value)
                            .ulong(Ck.CKA_KEY_TYPE, keyType)
                            .bool(Ck.CKA_TOKEN, true)
                            .bool(Ck.CKA_PRIVATE, false)
                            .bool(Ck.CKA_VERIFY, true)
                            .bool(Ck.CKA_ENCRYPT, false)
                            .bool(Ck.CKA_WRAP, false);
                    if (type.isRsa()) {
                      publicKey
                          .ulong(Ck.CKA_MODULUS_BITS, type.bits())
                          .bytes(Ck.CKA_PUBLIC_EXPONENT, RSA_PUBLIC_EXPONENT);
                    } else {
                      publicKey.bytes(Ck.CKA_EC_PARAMS, PublicKeys.ecParameters(type.bits()));
                    }
                    named(publicKey, key);
                    Template privateKey =
                        named(
                            new Template(arena)
                                .ulong(Ck.CKA_CLASS, ObjectClass.PRIVATE_KEY.value)
                                .ulong(Ck.CKA_KEY_TYPE, keyType)
                                .bool(Ck.CKA_TOKEN, true)
                                .bool(Ck.CKA_PRIVATE, true)
                                .bool(Ck.CKA_SENSITIVE, true)
                                .bool(Ck.CKA_EXTRACTABLE, false)
                                .bool(Ck.CKA_SIGN, true)
                                .bool(Ck.CKA_DECRYPT, false)
                                .bool(Ck.CKA_UNWRAP, false)
                                .bool(Ck.CKA_DERIVE, false),
                            key);
                    MemorySegment mechanism =
                        mechanism(
                            arena,
                            type.isRsa() ? Ck.CKM_RSA_PKCS_KEY_PAIR_GEN : Ck.CKM_EC_KEY_PAIR_GEN,
                            MemorySegment.NULL,
                            0);
                    MemorySegment publicHandle = arena.allocate(CK_ULONG);
                    MemorySegment privateHandle = arena.allocate(CK_ULONG);
                    long rv;
                    try {
                      rv =
                          (long)
                              ck.generateKeyPair.invokeExact(
                                  session,
                                  mechanism,
                                  publicKey.segment(),
                                  (long) publicKey.count(),
                                  privateKey.segment(),
                                  (long) privateKey.count(),
                                  publicHandle,
                                  privateHandle);
                    } catch (Throwable e) {
                      throw rethrow(e);
                    }
                    check("C_GenerateKeyPair", rv, key);
                    handles.put(
                        new Cached(key, ObjectClass.PUBLIC_KEY), publicHandle.get(CK_ULONG, 0));
                    handles.put(
                        new Cached(key, ObjectClass.PRIVATE_KEY), privateHandle.get(CK_ULONG, 0));
                    return null;
                  }
                }));
  }

  @Override
  public byte[] sign(HsmKey key, SignatureAlgorithm algorithm, byte[] data) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(data, "data");
    SignMechanism how = signMechanism(algorithm);
    byte[] input = how.input(data);
    KeyCall<byte[]> signing =
        (session, handle) -> {
          check(
              "C_SignInit",
              initCall(ck.signInit, session.handle, how.segment(session.scratch), handle),
              key);
          return cryptCall("C_Sign", ck.sign, session, input, MAX_SIGNATURE, key);
        };
    AuditSink sink = config.auditSink();
    if (sink == AuditSink.NONE) {
      return withSigningKey(key, signing);
    }
    return AuditedOperation.of(Operation.SIGN, "pkcs11-" + BACKEND)
        .withKeyRef(auditUri(key))
        .withRegion(token.label())
        .withBytes(data.length)
        .call(sink, () -> withSigningKey(key, signing));
  }

  @Override
  public boolean verify(HsmKey key, SignatureAlgorithm algorithm, byte[] data, byte[] signature) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(signature, "signature");
    if (signature.length == 0 || signature.length > MAX_SIGNATURE) {
      return false;
    }
    SignMechanism how = signMechanism(algorithm);
    byte[] input = how.input(data);
    return withKey(
        key,
        ObjectClass.PUBLIC_KEY,
        (session, handle) -> {
          check(
              "C_VerifyInit",
              initCall(ck.verifyInit, session.handle, how.segment(session.scratch), handle),
              key);
          return verifyCall(session, input, signature, key);
        });
  }

  @Override
  public PublicKey publicKey(HsmKey key) {
    Objects.requireNonNull(key, "key");
    String what = "token " + token.label() + ", key " + key;
    return withKey(
        key,
        ObjectClass.PUBLIC_KEY,
        (session, handle) -> {
          try (Arena arena = Arena.ofConfined()) {
            byte[] type = readAttribute(session.handle, handle, Ck.CKA_KEY_TYPE, 8, arena, key);
            long keyType = MemorySegment.ofArray(type).get(CK_ULONG.withByteAlignment(1), 0);
            if (keyType == Ck.CKK_RSA) {
              return PublicKeys.rsa(
                  readAttribute(session.handle, handle, Ck.CKA_MODULUS, 2048, arena, key),
                  readAttribute(session.handle, handle, Ck.CKA_PUBLIC_EXPONENT, 64, arena, key),
                  what);
            }
            if (keyType == Ck.CKK_EC) {
              return PublicKeys.ec(
                  readAttribute(session.handle, handle, Ck.CKA_EC_PARAMS, 256, arena, key),
                  readAttribute(session.handle, handle, Ck.CKA_EC_POINT, 256, arena, key),
                  what);
            }
            throw new ConfigurationException(
                what
                    + " is neither an EC nor an RSA key (CKK 0x"
                    + Long.toHexString(keyType)
                    + ")");
          }
        });
  }

  @Override
  public void importEcPublicKey(HsmKey key, ECPublicKey publicKey) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(publicKey, "publicKey");
    byte[] parameters = PublicKeys.ecParameters(PublicKeys.ecBits(publicKey));
    byte[] point = PublicKeys.ecPoint(publicKey);
    pool.call(
        borrowed -> {
          long session = borrowed.handle;
          refuseDuplicate(session, key, ObjectClass.PUBLIC_KEY);
          try (Arena arena = Arena.ofConfined()) {
            Template template =
                named(
                    new Template(arena)
                        .ulong(Ck.CKA_CLASS, ObjectClass.PUBLIC_KEY.value)
                        .ulong(Ck.CKA_KEY_TYPE, Ck.CKK_EC)
                        .bool(Ck.CKA_TOKEN, false)
                        .bool(Ck.CKA_PRIVATE, false)
                        .bool(Ck.CKA_VERIFY, true)
                        .bool(Ck.CKA_ENCRYPT, false)
                        .bool(Ck.CKA_WRAP, false)
                        .bytes(Ck.CKA_EC_PARAMS, parameters)
                        .bytes(Ck.CKA_EC_POINT, point),
                    key);
            handles.put(
                new Cached(key, ObjectClass.PUBLIC_KEY), createObject(session, template, key));
            return null;
          }
        });
  }

  @Override
  public void generateHmacKey(HsmKey key) {
    Objects.requireNonNull(key, "key");
    requireSupported(Capabilities.Operation.HMAC_SHA256);
    boolean generic = capabilities().mechanisms().contains("CKM_GENERIC_SECRET_KEY_GEN");
    pool.call(
        borrowed ->
            tokenObjectLock.changing(
                () -> {
                  long session = borrowed.handle;
                  refuseDuplicate(session, key, ObjectClass.SECRET_KEY);
                  try (Arena arena = Arena.ofConfined()) {
                    Template template =
                        hmacKeyTemplate(arena, key, generic ? Ck.CKK_GENERIC_SECRET : Ck.CKK_AES)
                            .ulong(Ck.CKA_VALUE_LEN, 32);
                    generateSecretKey(
                        session,
                        arena,
                        key,
                        template,
                        generic ? Ck.CKM_GENERIC_SECRET_KEY_GEN : Ck.CKM_AES_KEY_GEN);
                    return null;
                  }
                }));
  }

  /** C_GenerateKey of a secret key with {@code template}, its handle cached under {@code key}. */
  private void generateSecretKey(
      long session, Arena arena, HsmKey key, Template template, long mechanismType) {
    MemorySegment mechanism = mechanism(arena, mechanismType, MemorySegment.NULL, 0);
    MemorySegment handle = arena.allocate(CK_ULONG);
    long rv;
    try {
      rv =
          (long)
              ck.generateKey.invokeExact(
                  session, mechanism, template.segment(), (long) template.count(), handle);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    check("C_GenerateKey", rv, key);
    handles.put(new Cached(key, ObjectClass.SECRET_KEY), handle.get(CK_ULONG, 0));
  }

  @Override
  public void importHmacKey(HsmKey key, byte[] value) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (value.length < 16 || value.length > 256) {
      throw new InvalidInputException("an HMAC key here is 16..256 bytes, got " + value.length);
    }
    requireSupported(Capabilities.Operation.HMAC_SHA256);
    importSecret(
        key,
        arena -> hmacKeyTemplate(arena, key, Ck.CKK_GENERIC_SECRET).secret(Ck.CKA_VALUE, value));
  }

  /**
   * Creates the secret key {@code template} describes under {@code key}'s name, unless the token
   * already holds one, and wipes the template's copy of the value.
   */
  private void importSecret(HsmKey key, Function<Arena, Template> template) {
    pool.call(
        borrowed ->
            tokenObjectLock.changing(
                () -> {
                  long session = borrowed.handle;
                  refuseDuplicate(session, key, ObjectClass.SECRET_KEY);
                  try (Arena arena = Arena.ofConfined()) {
                    Template secret = template.apply(arena);
                    try {
                      handles.put(
                          new Cached(key, ObjectClass.SECRET_KEY),
                          createObject(session, secret, key));
                    } finally {
                      secret.wipe();
                    }
                    return null;
                  }
                }));
  }

  @Override
  public byte[] hmacSha256(HsmKey key, byte[] data) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    return withKey(
        key,
        (session, handle) -> {
          MemorySegment mechanism =
              mechanism(session.scratch, Ck.CKM_SHA256_HMAC, MemorySegment.NULL, 0);
          check("C_SignInit", initCall(ck.signInit, session.handle, mechanism, handle), key);
          return cryptCall("C_Sign", ck.sign, session, data, HMAC_SHA256, key);
        });
  }

  @Override
  public boolean verifyHmacSha256(HsmKey key, byte[] data, byte[] mac) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(mac, "mac");
    if (mac.length != HMAC_SHA256) {
      return false;
    }
    return withKey(
        key,
        (session, handle) -> {
          MemorySegment mechanism =
              mechanism(session.scratch, Ck.CKM_SHA256_HMAC, MemorySegment.NULL, 0);
          check("C_VerifyInit", initCall(ck.verifyInit, session.handle, mechanism, handle), key);
          return verifyCall(session, data, mac, key);
        });
  }

  @Override
  public byte[] random(int length) {
    if (length < 0 || length > 1 << 20) {
      throw new InvalidInputException("random length must be 0..1048576, got " + length);
    }
    if (length == 0) {
      return new byte[0];
    }
    return pool.call(
        session -> {
          MemorySegment out = session.scratch.allocate(length);
          long rv;
          try {
            rv = (long) ck.generateRandom.invokeExact(session.handle, out, (long) length);
          } catch (Throwable e) {
            throw rethrow(e);
          }
          check("C_GenerateRandom", rv, "token " + token.label());
          return out.toArray(JAVA_BYTE);
        });
  }

  /**
   * Holds one of the pool's sessions for the calling thread until the returned handle is closed:
   * meanwhile this thread's calls on this {@code FfmHsm} run on that session with no checkout from
   * the pool, and no other thread can use it. For a thread that makes many calls in a row (a batch
   * of signatures, a benchmark's bare-session baseline); the session counts against {@link
   * HsmConfig#maxSessions()}. Holds nest, and close on the thread that made them.
   */
  public HeldSession holdSession() {
    SessionPool.Held held = pool.hold();
    return held::close;
  }

  /** A session held by one thread; {@link #close()} gives it back to the pool. */
  @FunctionalInterface
  public interface HeldSession extends AutoCloseable {
    @Override
    void close();
  }

  @Override
  public void close() {
    pool.close();
  }

  @Override
  public String toString() {
    return "FfmHsm[" + config + "]";
  }

  /** The slot the token was last found in. */
  long slotId() {
    return token.slot();
  }

  // --- keys -------------------------------------------------------------------------------

  @FunctionalInterface
  private interface KeyCall<T> {
    T apply(Session session, long handle);
  }

  /**
   * Runs {@code call} with the handle that signs for {@code key}: its private key, or where the
   * module re-reads token objects on use, a session copy of it (made here on first use, made again
   * when the session that held it closed).
   */
  private <T> T withSigningKey(HsmKey key, KeyCall<T> call) {
    if (!signWithSessionCopies) {
      return withKey(key, ObjectClass.PRIVATE_KEY, call);
    }
    Long copy = signingCopies.get(key);
    if (copy != null) {
      try {
        return pool.call(session -> call.apply(session, copy));
      } catch (RuntimeException e) {
        if (!staleHandle(e)) {
          throw e;
        }
        signingCopies.remove(key, copy);
      }
    }
    return withKey(
        key,
        ObjectClass.PRIVATE_KEY,
        (session, handle) -> {
          long signer;
          synchronized (signingCopies) {
            Long earlier = signingCopies.get(key);
            signer = earlier != null ? earlier : copyForSigning(session.handle, handle, key);
            signingCopies.put(key, signer);
          }
          return call.apply(session, signer);
        });
  }

  /**
   * A session copy of the private key {@code handle}, with no label or id so that lookups by name
   * still find the token object alone; it keeps the key's sensitive and unextractable attributes.
   */
  private long copyForSigning(long session, long handle, HsmKey key) {
    try (Arena arena = Arena.ofConfined()) {
      Template template =
          new Template(arena)
              .bool(Ck.CKA_TOKEN, false)
              .bytes(Ck.CKA_LABEL, new byte[0])
              .bytes(Ck.CKA_ID, new byte[0]);
      MemorySegment copy = arena.allocate(CK_ULONG);
      long rv;
      try {
        rv =
            (long)
                ck.copyObject.invokeExact(
                    session, handle, template.segment(), (long) template.count(), copy);
      } catch (Throwable e) {
        throw rethrow(e);
      }
      check("C_CopyObject", rv, key);
      return copy.get(CK_ULONG, 0);
    }
  }

  /** A destroyed key must stop signing at once, so its session copy goes first. */
  private void destroySigningCopy(long session, HsmKey key) {
    Long copy = signingCopies.remove(key);
    if (copy != null) {
      destroyQuietly(session, copy);
    }
  }

  /** A cached object handle: which key, and which of its objects. */
  private record Cached(HsmKey key, ObjectClass type) {}

  /** Runs {@code call} with {@code key}'s secret key handle. */
  private <T> T withKey(HsmKey key, KeyCall<T> call) {
    return withKey(key, ObjectClass.SECRET_KEY, call);
  }

  /** Runs {@code call} with {@code key}'s handle, finding it again once if the token dropped it. */
  private <T> T withKey(HsmKey key, ObjectClass type, KeyCall<T> call) {
    Cached name = new Cached(key, type);
    return pool.call(
        session -> {
          Long cached = handles.get(name);
          long handle = cached != null ? cached : findOne(session.handle, key, type);
          try {
            return call.apply(session, handle);
          } catch (RuntimeException e) {
            if (cached == null || !staleHandle(e)) {
              throw e;
            }
            session.scratch.release();
            handles.remove(name, cached);
            // A token that logged the user out also drops the handles of private objects.
            sessions.login(session.handle);
            return call.apply(session, findOne(session.handle, key, type));
          }
        });
  }

  private static boolean staleHandle(RuntimeException e) {
    return ReturnCode.of(e)
        .filter(
            code ->
                code == ReturnCode.CKR_KEY_HANDLE_INVALID
                    || code == ReturnCode.CKR_OBJECT_HANDLE_INVALID
                    || code == ReturnCode.CKR_WRAPPING_KEY_HANDLE_INVALID
                    || code == ReturnCode.CKR_UNWRAPPING_KEY_HANDLE_INVALID)
        .isPresent();
  }

  private long findOne(long session, HsmKey key, ObjectClass type) {
    List<Long> found = findAll(session, key, type);
    if (found.isEmpty() && !loggedIn(session)) {
      // Private keys are invisible until the user logs in again.
      sessions.login(session);
      found = findAll(session, key, type);
    }
    if (found.isEmpty()) {
      throw MissingKey.failure(
          "token " + token.label() + " holds no " + type.description + " " + key);
    }
    if (found.size() > 1) {
      throw new ConfigurationException(
          "token "
              + token.label()
              + " holds several "
              + type.description
              + "s "
              + key
              + "; give each a distinct label or id");
    }
    handles.put(new Cached(key, type), found.getFirst());
    return found.getFirst();
  }

  private List<Long> findAll(long session, HsmKey key, ObjectClass type) {
    return tokenObjectLock.searching(() -> search(session, key, type));
  }

  private List<Long> search(long session, HsmKey key, ObjectClass type) {
    try (Arena arena = Arena.ofConfined()) {
      Template template = new Template(arena).ulong(Ck.CKA_CLASS, type.value);
      key.label()
          .ifPresent(label -> template.bytes(Ck.CKA_LABEL, label.getBytes(StandardCharsets.UTF_8)));
      key.id().ifPresent(id -> template.bytes(Ck.CKA_ID, id));
      long rv;
      try {
        rv =
            (long)
                ck.findObjectsInit.invokeExact(
                    session, template.segment(), (long) template.count());
      } catch (Throwable e) {
        throw rethrow(e);
      }
      check("C_FindObjectsInit", rv, key);
      try {
        // Two are enough to tell "exactly one" from "ambiguous".
        MemorySegment found = arena.allocate(CK_ULONG, 2);
        MemorySegment count = arena.allocate(CK_ULONG);
        try {
          rv = (long) ck.findObjects.invokeExact(session, found, 2L, count);
        } catch (Throwable e) {
          throw rethrow(e);
        }
        check("C_FindObjects", rv, key);
        List<Long> matches = new ArrayList<>();
        for (long i = 0; i < count.get(CK_ULONG, 0); i++) {
          matches.add(found.getAtIndex(CK_ULONG, i));
        }
        return matches;
      } finally {
        try {
          long ignored = (long) ck.findObjectsFinal.invokeExact(session);
        } catch (Throwable e) {
          throw rethrow(e);
        }
      }
    }
  }

  private void refuseDuplicate(long session, HsmKey key, ObjectClass... types) {
    List<HsmKey> parts = new ArrayList<>();
    key.label().ifPresent(label -> parts.add(HsmKey.label(label)));
    key.id().ifPresent(id -> parts.add(HsmKey.id(id)));
    for (ObjectClass type : types) {
      for (HsmKey part : parts) {
        if (!findAll(session, part, type).isEmpty()) {
          throw new InvalidInputException(
              "token " + token.label() + " already holds a " + type.description + " " + part);
        }
      }
    }
  }

  private Template aesKeyTemplate(SegmentAllocator arena, HsmKey key, boolean onToken) {
    Template template =
        new Template(arena)
            .ulong(Ck.CKA_CLASS, ObjectClass.SECRET_KEY.value)
            .ulong(Ck.CKA_KEY_TYPE, Ck.CKK_AES)
            .bool(Ck.CKA_TOKEN, onToken)
            .bool(Ck.CKA_PRIVATE, true)
            .bool(Ck.CKA_SENSITIVE, true)
            .bool(Ck.CKA_EXTRACTABLE, false)
            .bool(Ck.CKA_ENCRYPT, true)
            .bool(Ck.CKA_DECRYPT, true)
            .bool(Ck.CKA_WRAP, true)
            .bool(Ck.CKA_UNWRAP, true);
    return named(template, key);
  }

  private static Template hmacKeyTemplate(SegmentAllocator arena, HsmKey key, long keyType) {
    Template template =
        new Template(arena)
            .ulong(Ck.CKA_CLASS, ObjectClass.SECRET_KEY.value)
            .ulong(Ck.CKA_KEY_TYPE, keyType)
            .bool(Ck.CKA_TOKEN, true)
            .bool(Ck.CKA_PRIVATE, true)
            .bool(Ck.CKA_SENSITIVE, true)
            .bool(Ck.CKA_EXTRACTABLE, false)
            .bool(Ck.CKA_SIGN, true)
            .bool(Ck.CKA_VERIFY, true)
            .bool(Ck.CKA_ENCRYPT, false)
            .bool(Ck.CKA_DECRYPT, false)
            .bool(Ck.CKA_WRAP, false)
            .bool(Ck.CKA_UNWRAP, false);
    return named(template, key);
  }

  /** {@code template} with {@code key}'s label and id added. */
  private static Template named(Template template, HsmKey key) {
    key.label()
        .ifPresent(label -> template.bytes(Ck.CKA_LABEL, label.getBytes(StandardCharsets.UTF_8)));
    key.id().ifPresent(id -> template.bytes(Ck.CKA_ID, id));
    return template;
  }

  /** The private key's URI in audit events, built once per key and token. */
  private String auditUri(HsmKey key) {
    return auditUris.computeIfAbsent(key, named -> named.uri(token.label(), "private"));
  }

  private void requireSupported(Capabilities.Operation operation) {
    String reason = capabilities().unavailable().get(operation);
    if (reason != null) {
      throw new ConfigurationException(reason);
    }
  }

  /**
   * How this token runs {@code algorithm}: the combined hash-and-sign mechanism where the token
   * lists it, else the raw one over a digest computed here (SoftHSM2 2.6.1 has no
   * CKM_ECDSA_SHA256).
   */
  private SignMechanism signMechanism(SignatureAlgorithm algorithm) {
    SignMechanism known = signMechanisms.get(algorithm);
    if (known != null) {
      return known;
    }
    requireSupported(
        algorithm.isRsa() ? Capabilities.Operation.RSA : Capabilities.Operation.EC_P256);
    var mechanisms = capabilities().mechanisms();
    long combined =
        switch (algorithm) {
          case ECDSA_SHA256 -> Ck.CKM_ECDSA_SHA256;
          case ECDSA_SHA384 -> Ck.CKM_ECDSA_SHA384;
          case RSA_PSS_SHA256 -> Ck.CKM_SHA256_RSA_PKCS_PSS;
          case RSA_PSS_SHA384 -> Ck.CKM_SHA384_RSA_PKCS_PSS;
          case RSA_PKCS1_SHA256 -> Ck.CKM_SHA256_RSA_PKCS;
        };
    boolean hashInToken = mechanisms.contains(Ck.mechanismName(combined));
    long raw =
        switch (algorithm) {
          case ECDSA_SHA256, ECDSA_SHA384 -> Ck.CKM_ECDSA;
          case RSA_PSS_SHA256, RSA_PSS_SHA384 -> Ck.CKM_RSA_PKCS_PSS;
          case RSA_PKCS1_SHA256 -> Ck.CKM_RSA_PKCS;
        };
    SignMechanism chosen =
        new SignMechanism(
            algorithm, hashInToken ? combined : raw, hashInToken ? null : digest(algorithm));
    signMechanisms.put(algorithm, chosen);
    return chosen;
  }

  private static MessageDigest digest(SignatureAlgorithm algorithm) {
    try {
      return MessageDigest.getInstance(algorithm.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has " + algorithm.digest(), e);
    }
  }

  /**
   * A signature mechanism, and the digest that hashes the data here before the token sees it (null
   * when the token hashes): a prototype, never updated, that each signature clones.
   */
  private record SignMechanism(SignatureAlgorithm algorithm, long type, MessageDigest hashHere) {
    /** DER DigestInfo prefix for SHA-256, which CKM_RSA_PKCS signs in front of the digest. */
    private static final byte[] SHA256_DIGEST_INFO =
        HexFormat.of().parseHex("3031300d060960864801650304020105000420");

    byte[] input(byte[] data) {
      if (hashHere == null) {
        return data;
      }
      byte[] digest;
      try {
        digest = ((MessageDigest) hashHere.clone()).digest(data);
      } catch (CloneNotSupportedException e) {
        digest = digest(algorithm).digest(data);
      }
      if (type != Ck.CKM_RSA_PKCS) {
        return digest;
      }
      byte[] digestInfo = Arrays.copyOf(SHA256_DIGEST_INFO, SHA256_DIGEST_INFO.length + 32);
      System.arraycopy(digest, 0, digestInfo, SHA256_DIGEST_INFO.length, 32);
      return digestInfo;
    }

    MemorySegment segment(SegmentAllocator memory) {
      if (algorithm != SignatureAlgorithm.RSA_PSS_SHA256
          && algorithm != SignatureAlgorithm.RSA_PSS_SHA384) {
        return mechanism(memory, type, MemorySegment.NULL, 0);
      }
      boolean sha256 = algorithm == SignatureAlgorithm.RSA_PSS_SHA256;
      MemorySegment params = memory.allocate(CK_ULONG, 3);
      params.setAtIndex(CK_ULONG, 0, sha256 ? Ck.CKM_SHA256 : Ck.CKM_SHA384);
      params.setAtIndex(CK_ULONG, 1, sha256 ? Ck.CKG_MGF1_SHA256 : Ck.CKG_MGF1_SHA384);
      params.setAtIndex(CK_ULONG, 2, algorithm.digestLength());
      return mechanism(memory, type, params, params.byteSize());
    }
  }

  private long createObject(long session, Template template, Object what) {
    try (Arena arena = Arena.ofConfined()) {
      return createObject(session, arena.allocate(CK_ULONG), template, what);
    }
  }

  private long createObject(Session session, Template template, Object what) {
    return createObject(session.handle, session.scratch.allocate(CK_ULONG), template, what);
  }

  private long createObject(long session, MemorySegment handle, Template template, Object what) {
    long rv;
    try {
      rv =
          (long)
              ck.createObject.invokeExact(
                  session, template.segment(), (long) template.count(), handle);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    check("C_CreateObject", rv, what);
    return handle.get(CK_ULONG, 0);
  }

  /**
   * An unwrapped secret's CKA_VALUE, read with one call into room for {@code maxLength} bytes; the
   * native copy is zeroed when the session's scratch memory is released.
   */
  private byte[] readValue(Session session, long object, int maxLength, HsmKey kek) {
    MemorySegment attribute = session.scratch.allocate(Cryptoki.CK_ATTRIBUTE);
    MemorySegment value = session.scratch.allocate(maxLength);
    attribute.set(CK_ULONG, 0, Ck.CKA_VALUE);
    attribute.set(POINTER, CK_ULONG.byteSize(), value);
    attribute.set(CK_ULONG, ATTRIBUTE_LENGTH, maxLength);
    long rv;
    try {
      rv = (long) ck.getAttributeValue.invokeExact(session.handle, object, attribute, 1L);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    if (rv == ReturnCode.CKR_BUFFER_TOO_SMALL.value()) {
      throw new MalformedCiphertextException(
          "token " + token.label() + " unwrapped more than " + maxLength + " bytes for key " + kek);
    }
    check("C_GetAttributeValue", rv, kek);
    long length = attribute.get(CK_ULONG, ATTRIBUTE_LENGTH);
    if (length < 1 || length > maxLength) {
      throw new MalformedCiphertextException(
          "token " + token.label() + " unwrapped a " + length + "-byte secret for key " + kek);
    }
    return value.asSlice(0, length).toArray(JAVA_BYTE);
  }

  /** One attribute's bytes, at most {@code maxLength}; the native copy is zeroed. */
  private byte[] readAttribute(
      long session, long object, long type, int maxLength, Arena arena, HsmKey key) {
    MemorySegment attribute = arena.allocate(Cryptoki.CK_ATTRIBUTE);
    attribute.set(CK_ULONG, 0, type);
    attribute.set(POINTER, CK_ULONG.byteSize(), MemorySegment.NULL);
    long rv;
    try {
      rv = (long) ck.getAttributeValue.invokeExact(session, object, attribute, 1L);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    check("C_GetAttributeValue", rv, key);
    long length = attribute.get(CK_ULONG, ATTRIBUTE_LENGTH);
    if (length < 0 || length > maxLength) {
      throw new MalformedCiphertextException(
          "token " + token.label() + " returned a " + length + "-byte attribute for key " + key);
    }
    MemorySegment value = arena.allocate(Math.max(1, length));
    attribute.set(POINTER, CK_ULONG.byteSize(), value);
    try {
      rv = (long) ck.getAttributeValue.invokeExact(session, object, attribute, 1L);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    try {
      check("C_GetAttributeValue", rv, key);
      return value.asSlice(0, length).toArray(JAVA_BYTE);
    } finally {
      value.fill((byte) 0);
    }
  }

  private void destroyQuietly(long session, long object) {
    try {
      long ignored = (long) ck.destroyObject.invokeExact(session, object);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  // --- mechanisms and calls ---------------------------------------------------------------

  private static void checkGcmArguments(HsmKey key, byte[] iv, byte[] aad) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(iv, "iv");
    Objects.requireNonNull(aad, "aad (use an empty array for none)");
    if (iv.length < 1 || iv.length > 256) {
      throw new InvalidInputException("an AES-GCM IV must be 1..256 bytes, got " + iv.length);
    }
  }

  private static MemorySegment mechanism(
      SegmentAllocator memory, long type, MemorySegment parameter, long parameterLength) {
    MemorySegment mechanism = memory.allocate(CK_MECHANISM);
    mechanism.set(CK_ULONG, 0, type);
    mechanism.set(POINTER, CK_ULONG.byteSize(), parameter);
    mechanism.set(CK_ULONG, CK_ULONG.byteSize() + POINTER.byteSize(), parameterLength);
    return mechanism;
  }

  private static MemorySegment gcmMechanism(SegmentAllocator memory, byte[] iv, byte[] aad) {
    MemorySegment params = memory.allocate(CK_GCM_PARAMS);
    params.set(POINTER, GCM_IV, memory.allocateFrom(JAVA_BYTE, iv));
    params.set(CK_ULONG, GCM_IV_LENGTH, iv.length);
    params.set(CK_ULONG, GCM_IV_BITS, iv.length * 8L);
    params.set(
        POINTER,
        GCM_AAD,
        aad.length == 0 ? MemorySegment.NULL : memory.allocateFrom(JAVA_BYTE, aad));
    params.set(CK_ULONG, GCM_AAD_LENGTH, aad.length);
    params.set(CK_ULONG, GCM_TAG_BITS, GCM_TAG_BYTES * 8L);
    return mechanism(memory, Ck.CKM_AES_GCM, params, CK_GCM_PARAMS.byteSize());
  }

  private static long initCall(MethodHandle init, long session, MemorySegment mechanism, long key) {
    try {
      return (long) init.invokeExact(session, mechanism, key);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  /**
   * One single-part C_Encrypt, C_Decrypt or C_Sign of {@code input} into room for {@code
   * outCapacity} bytes, both in the session's scratch memory: one call, no size query.
   */
  private byte[] cryptCall(
      String function,
      MethodHandle handle,
      Session session,
      byte[] input,
      int outCapacity,
      HsmKey key) {
    Scratch memory = session.scratch;
    MemorySegment in = memory.allocateFrom(JAVA_BYTE, nonEmpty(input));
    MemorySegment out = memory.allocate(Math.max(1, outCapacity));
    MemorySegment outLength = memory.allocate(CK_ULONG);
    outLength.set(CK_ULONG, 0, out.byteSize());
    long rv;
    try {
      rv = (long) handle.invokeExact(session.handle, in, (long) input.length, out, outLength);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    check(function, rv, key);
    return out.asSlice(0, outLength.get(CK_ULONG, 0)).toArray(JAVA_BYTE);
  }

  /** C_Verify after C_VerifyInit: a signature or MAC that does not match is {@code false}. */
  private boolean verifyCall(Session session, byte[] input, byte[] signature, HsmKey key) {
    MemorySegment in = session.scratch.allocateFrom(JAVA_BYTE, nonEmpty(input));
    MemorySegment sig = session.scratch.allocateFrom(JAVA_BYTE, signature);
    long rv;
    try {
      rv =
          (long)
              ck.verify.invokeExact(
                  session.handle, in, (long) input.length, sig, (long) signature.length);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    if (rv == ReturnCode.CKR_SIGNATURE_INVALID.value()
        || rv == ReturnCode.CKR_SIGNATURE_LEN_RANGE.value()) {
      return false;
    }
    check("C_Verify", rv, key);
    return true;
  }

  /** Reports a module's CKR_GENERAL_ERROR for a failed integrity check as what it means. */
  private <T> T integrityChecked(Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
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

  private static byte[] nonEmpty(byte[] data) {
    // A zero-length segment may have a null address, which modules refuse as CKR_ARGUMENTS_BAD.
    return data.length == 0 ? new byte[1] : data;
  }

  private void check(String function, long rv, Object what) {
    if (rv != 0) {
      String description =
          what instanceof HsmKey key
              ? "token " + token.label() + ", key " + key
              : String.valueOf(what);
      throw ReturnCode.failure(function, rv, description);
    }
  }

  // --- token, sessions, login -------------------------------------------------------------

  private Token findToken() {
    return config.slotId().isPresent()
        ? Tokens.inSlot(ck, config.slotId().getAsLong())
        : Tokens.labelled(ck, config.tokenLabel().orElseThrow());
  }

  /**
   * Why CKM_AES_KEY_WRAP_PAD, listed by the token, cannot be used: {@link KeyWrapProbe} under a
   * session KEK made for it and destroyed after.
   */
  private Optional<String> keyWrapRefusal() {
    HsmKey trialKek = HsmKey.label("plugsky-key-wrap-probe-" + UUID.randomUUID());
    return KeyWrapProbe.refusal(
        () ->
            pool.call(
                borrowed -> {
                  try (Arena arena = Arena.ofConfined()) {
                    Template template =
                        aesKeyTemplate(arena, trialKek, false).ulong(Ck.CKA_VALUE_LEN, 32);
                    generateSecretKey(
                        borrowed.handle, arena, trialKek, template, Ck.CKM_AES_KEY_GEN);
                    return null;
                  }
                }),
        secret -> wrapKeyPad(trialKek, secret),
        wrapped -> unwrapKeyPad(trialKek, wrapped),
        () -> destroyKey(trialKek));
  }

  private Capabilities readCapabilities() {
    Token current = token;
    Map<Capabilities.Operation, String> unavailable = new EnumMap<>(Capabilities.Operation.class);
    long gcm = Tokens.mechanismFlags(ck, current, Ck.CKM_AES_GCM);
    if ((gcm & (Ck.CKF_ENCRYPT | Ck.CKF_DECRYPT)) != (Ck.CKF_ENCRYPT | Ck.CKF_DECRYPT)) {
      unavailable.put(
          Capabilities.Operation.AES_GCM, "the token offers no CKM_AES_GCM encrypt and decrypt");
    }
    long kwp = Tokens.mechanismFlags(ck, current, Ck.CKM_AES_KEY_WRAP_PAD);
    if ((kwp & (Ck.CKF_WRAP | Ck.CKF_UNWRAP)) != (Ck.CKF_WRAP | Ck.CKF_UNWRAP)) {
      unavailable.put(
          Capabilities.Operation.AES_KEY_WRAP_PAD,
          "the token offers no CKM_AES_KEY_WRAP_PAD wrap and unwrap");
    } else {
      keyWrapRefusal()
          .ifPresent(reason -> unavailable.put(Capabilities.Operation.AES_KEY_WRAP_PAD, reason));
    }
    long ecGenerate = Tokens.mechanismFlags(ck, current, Ck.CKM_EC_KEY_PAIR_GEN);
    long ecdsa = Tokens.mechanismFlags(ck, current, Ck.CKM_ECDSA);
    if ((ecGenerate & Ck.CKF_GENERATE_KEY_PAIR) == 0
        || (ecdsa & (Ck.CKF_SIGN | Ck.CKF_VERIFY)) != (Ck.CKF_SIGN | Ck.CKF_VERIFY)) {
      String reason =
          "the token offers no CKM_EC_KEY_PAIR_GEN key pair generation with CKM_ECDSA sign and"
              + " verify";
      unavailable.put(Capabilities.Operation.EC_P256, reason);
      unavailable.put(Capabilities.Operation.EC_P384, reason);
    }
    long rsaGenerate = Tokens.mechanismFlags(ck, current, Ck.CKM_RSA_PKCS_KEY_PAIR_GEN);
    long rsaPss = Tokens.mechanismFlags(ck, current, Ck.CKM_RSA_PKCS_PSS);
    if ((rsaGenerate & Ck.CKF_GENERATE_KEY_PAIR) == 0
        || (rsaPss & (Ck.CKF_SIGN | Ck.CKF_VERIFY)) != (Ck.CKF_SIGN | Ck.CKF_VERIFY)) {
      unavailable.put(
          Capabilities.Operation.RSA,
          "the token offers no CKM_RSA_PKCS_KEY_PAIR_GEN key pair generation with CKM_RSA_PKCS_PSS"
              + " sign and verify");
    }
    long hmac = Tokens.mechanismFlags(ck, current, Ck.CKM_SHA256_HMAC);
    if ((hmac & (Ck.CKF_SIGN | Ck.CKF_VERIFY)) != (Ck.CKF_SIGN | Ck.CKF_VERIFY)) {
      unavailable.put(
          Capabilities.Operation.HMAC_SHA256,
          "the token offers no CKM_SHA256_HMAC sign and verify");
    }
    if ((current.flags() & Ck.CKF_RNG) == 0) {
      unavailable.put(
          Capabilities.Operation.RANDOM, "the token has no random number generator (CKF_RNG)");
    }
    return new Capabilities(BACKEND, current.label(), Tokens.mechanisms(ck, current), unavailable);
  }

  /** The pool's view of this token. */
  private final class Sessions implements SessionPool.Connector {
    @Override
    public long open() {
      Token current = token;
      long session;
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment handle = arena.allocate(CK_ULONG);
        long rv;
        try {
          rv =
              (long)
                  ck.openSession.invokeExact(
                      current.slot(),
                      Ck.CKF_SERIAL_SESSION | Ck.CKF_RW_SESSION,
                      MemorySegment.NULL,
                      MemorySegment.NULL,
                      handle);
        } catch (Throwable e) {
          throw rethrow(e);
        }
        check("C_OpenSession", rv, "token " + current.label());
        session = handle.get(CK_ULONG, 0);
      }
      try {
        login(session);
      } catch (RuntimeException e) {
        close(session);
        throw e;
      }
      return session;
    }

    @Override
    public void login(long session) {
      if ((token.flags() & Ck.CKF_LOGIN_REQUIRED) == 0 || loggedIn(session)) {
        return;
      }
      synchronized (loginLock) {
        if (!loggedIn(session)) {
          logIn(session);
        }
      }
    }

    @Override
    public boolean alive(long session) {
      return sessionState(session) >= 0;
    }

    @Override
    public void close(long session) {
      try {
        long ignored = (long) ck.closeSession.invokeExact(session);
      } catch (Throwable e) {
        throw rethrow(e);
      }
    }

    @Override
    public void reset() {
      handles.clear();
      capabilities = null;
      signMechanisms.clear();
      token = findToken();
      auditUris.clear();
    }

    @Override
    public String name() {
      return token.label();
    }
  }

  private boolean loggedIn(long session) {
    long state = sessionState(session);
    return state == Ck.CKS_RW_USER_FUNCTIONS || state == Ck.CKS_RO_USER_FUNCTIONS;
  }

  /** The session's CKS_ state, or -1 when the token no longer knows it. */
  private long sessionState(long session) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment info = arena.allocate(CK_SESSION_INFO);
      long rv;
      try {
        rv = (long) ck.getSessionInfo.invokeExact(session, info);
      } catch (Throwable e) {
        throw rethrow(e);
      }
      return rv == 0 ? info.get(CK_ULONG, SESSION_STATE) : -1;
    }
  }

  private void logIn(long session) {
    loginGate.requireOpen();
    try {
      logInAudited(session);
    } catch (RuntimeException e) {
      throw loginGate.observe(e);
    }
  }

  private void logInAudited(long session) {
    String label = token.label();
    AuditedOperation.of(Operation.HSM_LOGIN, "pkcs11-" + BACKEND)
        .withRegion(label)
        .run(
            config.auditSink(),
            () -> {
              char[] pin = config.pinSource().pin();
              if (pin == null) {
                throw new ConfigurationException(
                    "token " + label + " requires a login and no PIN source is configured");
              }
              byte[] encoded = null;
              try (Arena arena = Arena.ofConfined()) {
                encoded = utf8(pin);
                MemorySegment pinSegment = arena.allocateFrom(JAVA_BYTE, nonEmpty(encoded));
                long rv;
                try {
                  rv =
                      (long)
                          ck.login.invokeExact(
                              session, Ck.CKU_USER, pinSegment, (long) encoded.length);
                } catch (Throwable e) {
                  throw rethrow(e);
                } finally {
                  pinSegment.fill((byte) 0);
                }
                if (rv != 0 && rv != ReturnCode.CKR_USER_ALREADY_LOGGED_IN.value()) {
                  throw ReturnCode.failure("C_Login", rv, "token " + label);
                }
              } finally {
                Arrays.fill(pin, '\0');
                Bytes.zero(encoded);
              }
            });
  }

  private static byte[] utf8(char[] pin) {
    ByteBuffer buffer = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pin));
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    Arrays.fill(buffer.array(), (byte) 0);
    return bytes;
  }

  /**
   * A session-only generic secret that key wrap can take out of the token: sensitive for a secret
   * going in to be wrapped, readable for one coming out of an unwrap.
   */
  private static Template sessionSecret(SegmentAllocator arena, boolean sensitive) {
    return new Template(arena)
        .ulong(Ck.CKA_CLASS, ObjectClass.SECRET_KEY.value)
        .ulong(Ck.CKA_KEY_TYPE, Ck.CKK_GENERIC_SECRET)
        .bool(Ck.CKA_TOKEN, false)
        .bool(Ck.CKA_PRIVATE, true)
        .bool(Ck.CKA_SENSITIVE, sensitive)
        .bool(Ck.CKA_EXTRACTABLE, true);
  }
}
