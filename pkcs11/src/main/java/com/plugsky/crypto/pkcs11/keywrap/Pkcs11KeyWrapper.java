package com.plugsky.crypto.pkcs11.keywrap;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.audit.AuditedOperation;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keyref.Pkcs11KeyRef;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.pkcs11.Capabilities;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.PinSource;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.CryptoRandom;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code pkcs11:} key wrapper: data keys wrapped by an AES key that never leaves an HSM.
 *
 * <h2>Which key</h2>
 *
 * A KeyRef such as {@code
 * pkcs11:token=hsm1;object=orders-kek;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=file:/run/secrets/hsm-pin}
 * names the module ({@code module-path}, else the system property {@value #MODULE_PROPERTY}), the
 * token ({@code token} label, else {@code slot-id}), the key ({@code object} = CKA_LABEL and/or
 * {@code id} = CKA_ID; {@code type}, if given, must be {@code secret-key}) and the PIN ({@code
 * pin-value}, else {@code pin-source}: {@code file:/path} or {@code env:NAME}, else the builder's
 * {@link PinSource}). Attributes this wrapper cannot check yet (manufacturer, serial, model,
 * library and slot descriptions, module-name) are refused rather than ignored. Wrapped keys carry
 * the KeyRef without its {@code pin-value}. One {@link Hsm} (session pool, one login) serves each
 * module and token.
 *
 * <h2>Two paths</h2>
 *
 * Wrapping takes the preferred path (by default {@link WrapPath#KEY_WRAP_PAD}) when the token and
 * backend can drive it, else the other one; {@link #pathFor(KeyRef)} says which, from the token's
 * {@link Capabilities}. Unwrapping follows the path recorded in the wrapped bytes.
 *
 * <pre>
 *   AES-GCM in the HSM (format byte 0x01):
 *     0x01 || iv (12 bytes, random) || AES-256-GCM(kek, iv, dataKey, aad) (dataKey.length + 16-byte tag)
 *     aad = "plugsky pkcs11 gcm v1" (21 ASCII bytes) || context.encoded()
 *
 *   CKM_AES_KEY_WRAP_PAD in the HSM over a context-bound key (format byte 0x02):
 *     0x02 || KWP(kek, r) (40 bytes, done in the HSM) || AES-KWP(w, dataKey) (RFC 5649, on the host)
 *     r = 32 fresh random bytes
 *     w = HKDF-SHA256(IKM = r, salt = none, info = "plugsky pkcs11 kwp v1" || context.encoded(), L = 32)
 * </pre>
 *
 * A 32-byte data key wraps to 61 bytes on the GCM path and 81 on the key-wrap path. On the GCM path
 * the HSM itself checks the {@link EncryptionContext}; random 96-bit IVs limit one KEK to about
 * 2^32 wraps. On the key-wrap path the HSM holds the KEK and the host binds the context through
 * {@code w} (a different context gives a different {@code w}, and AES-KWP's integrity check fails);
 * the fresh {@code r} keeps equal data keys from wrapping alike, and there is no IV to run out of.
 * Either way a wrong KEK, wrong context or modified bytes give {@link
 * AuthenticationFailedException}.
 *
 * <h2>Token handles</h2>
 *
 * A wrapper from the builder owns its token handles and {@link #close()} closes them. Wrappers from
 * the ServiceLoader provider ({@code KeyWrappers.forKeyRef}, which makes one per call) share one
 * handle per module, token, backend and PIN source for the JVM's life, so a wrapper per call costs
 * no new sessions or login; the first wrapper to open a handle has its audit sink receive the login
 * event. KeyRefs with different PIN sources ({@code pin-value}, {@code pin-source}, or none, which
 * means the builder's) get different handles, so a wrong PIN source fails on its own handle (a
 * handle whose token refused its PIN fails fast from then on) instead of reusing another's. PKCS#11
 * keeps one login per process and token, though: while any handle is logged in, a session of
 * another handle on the same token is logged in too and its PIN is not checked.
 *
 * <p>Every wrap and unwrap emits an audit event (backend {@code pkcs11-ffm}, {@code
 * pkcs11-sunpkcs11} or {@code pkcs11-iaik}, region = token label, the data key's length); logins
 * emit {@code HSM_LOGIN}. Thread-safe.
 */
public final class Pkcs11KeyWrapper implements KeyWrapper, AutoCloseable {
  /** System property naming the PKCS#11 module when a KeyRef has no {@code module-path}. */
  public static final String MODULE_PROPERTY = "plugsky.crypto.pkcs11.module";

  static final byte GCM_FORMAT = 0x01;
  static final byte KWP_FORMAT = 0x02;
  private static final int IV_LENGTH = 12;
  private static final int TAG_LENGTH = 16;
  private static final int R_LENGTH = 32;
  private static final int WRAPPED_R_LENGTH = R_LENGTH + 8;
  private static final byte[] GCM_LABEL =
      "plugsky pkcs11 gcm v1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KWP_LABEL =
      "plugsky pkcs11 kwp v1".getBytes(StandardCharsets.US_ASCII);
  private static final List<String> UNCHECKED_PATH_ATTRIBUTES =
      List.of(
          "manufacturer",
          "serial",
          "model",
          "library-manufacturer",
          "library-description",
          "library-version",
          "slot-description",
          "slot-manufacturer");

  private final AuditSink auditSink;
  private final PinSource pinSource;
  private final HsmConfig.Backend backend;
  private final int maxSessions;
  private final WrapPath preferred;

  /** Token handles shared by the wrappers the ServiceLoader provider makes, for the JVM's life. */
  private static final Map<TokenHandle, Hsm> SHARED_TOKENS = new ConcurrentHashMap<>();

  private static final String PIN_VALUE = "pin-value#";

  /** Keys the HMAC that tells pin-values apart; never leaves this process. */
  private static final byte[] PIN_IDENTITY_KEY = CryptoRandom.bytes(32);

  private final Map<TokenHandle, Hsm> tokens;
  private final boolean ownsTokens;
  private final SymmetricPrimitives primitives;

  /** How a data key is wrapped; see the class documentation for the bytes. */
  public enum WrapPath {
    /** AES-256-GCM inside the HSM, the context as associated data. */
    AES_GCM,
    /** CKM_AES_KEY_WRAP_PAD inside the HSM over a fresh key that the context is derived into. */
    KEY_WRAP_PAD
  }

  private Pkcs11KeyWrapper(Builder builder) {
    this.auditSink = builder.auditSink;
    this.pinSource = builder.pinSource;
    this.backend = builder.backend;
    this.maxSessions = builder.maxSessions;
    this.preferred = builder.preferred;
    this.ownsTokens = !builder.shareTokens;
    this.tokens = builder.shareTokens ? SHARED_TOKENS : new ConcurrentHashMap<>();
    this.primitives = Engines.defaultEngine().primitives();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.PKCS11;
  }

  /** What the token that {@code keyRef} names can do through this wrapper's backend. */
  public Capabilities capabilities(KeyRef keyRef) {
    return hsmFor(requirePkcs11(keyRef)).capabilities();
  }

  /**
   * The path {@link #wrap} takes for {@code keyRef}: the preferred one if the token and backend
   * support it, else the other.
   *
   * @throws ConfigurationException when neither is available, saying why for each
   */
  public WrapPath pathFor(KeyRef keyRef) {
    return choosePath(capabilities(keyRef));
  }

  @Override
  public WrappedKey wrap(KeyRef keyRef, byte[] dataKey, EncryptionContext context) {
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(dataKey, "dataKey");
    Objects.requireNonNull(context, "context");
    KeyRef stored = keyRef instanceof Pkcs11KeyRef p ? p.withoutPinValue() : keyRef;
    return audited(Operation.WRAP, stored, dataKey.length)
        .call(
            auditSink,
            () -> {
              Pkcs11KeyRef ref = requirePkcs11(keyRef);
              KeyWrapper.requireDataKeyLength(dataKey.length);
              HsmKey kek = keyIn(ref);
              Hsm hsm = hsmFor(ref);
              byte[] wrapped =
                  switch (choosePath(hsm.capabilities())) {
                    case AES_GCM -> wrapGcm(hsm, kek, dataKey, context);
                    case KEY_WRAP_PAD -> wrapKeyWrapPad(hsm, kek, dataKey, context);
                  };
              return new WrappedKey(stored, wrapped);
            });
  }

  @Override
  public byte[] unwrap(WrappedKey wrappedKey, EncryptionContext context) {
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(context, "context");
    KeyRef keyRef = wrappedKey.keyRef();
    // Timed here rather than by AuditedOperation.call: the event records the data key's length,
    // known only once it is unwrapped.
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    byte[] dataKey;
    try {
      dataKey = unwrapBytes(keyRef, wrappedKey.bytes(), context);
    } catch (RuntimeException e) {
      try {
        auditSink.record(
            audited(Operation.UNWRAP, keyRef, 0)
                .event(started, since(startNanos), AuditedOperation.outcomeOf(e)));
      } catch (RuntimeException sinkFailure) {
        e.addSuppressed(sinkFailure);
      }
      throw e;
    }
    try {
      auditSink.record(
          audited(Operation.UNWRAP, keyRef, dataKey.length)
              .event(started, since(startNanos), Outcome.SUCCESS));
    } catch (RuntimeException sinkFailure) {
      Bytes.zero(dataKey);
      throw sinkFailure;
    }
    return dataKey;
  }

  private byte[] unwrapBytes(KeyRef keyRef, byte[] bytes, EncryptionContext context) {
    Pkcs11KeyRef ref = requirePkcs11(keyRef);
    if (bytes.length == 0) {
      throw new MalformedCiphertextException("pkcs11 wrapped key is empty");
    }
    HsmKey kek = keyIn(ref);
    Hsm hsm = hsmFor(ref);
    byte[] dataKey =
        switch (bytes[0]) {
          case GCM_FORMAT -> unwrapGcm(hsm, kek, bytes, context);
          case KWP_FORMAT -> unwrapKeyWrapPad(hsm, kek, bytes, context);
          default ->
              throw new MalformedCiphertextException(
                  "pkcs11 wrapped key has format byte "
                      + Byte.toUnsignedInt(bytes[0])
                      + "; this library reads 1 (AES-GCM) and 2 (key wrap)");
        };
    if (dataKey.length < MIN_DATA_KEY_LENGTH || dataKey.length > MAX_DATA_KEY_LENGTH) {
      Bytes.zero(dataKey);
      throw new MalformedCiphertextException(
          "pkcs11 wrapped key holds a " + dataKey.length + "-byte key");
    }
    return dataKey;
  }

  private static Duration since(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  /**
   * Closes every token handle this wrapper opened; a wrapper from the ServiceLoader provider shares
   * its handles with the JVM's other such wrappers and leaves them open.
   */
  @Override
  public void close() {
    if (ownsTokens) {
      tokens.values().forEach(Hsm::close);
      tokens.clear();
    }
  }

  @Override
  public String toString() {
    return "Pkcs11KeyWrapper[backend=" + backend + ", tokens=" + tokens.keySet() + "]";
  }

  // --- the two formats ---------------------------------------------------------------------

  private static byte[] wrapGcm(Hsm hsm, HsmKey kek, byte[] dataKey, EncryptionContext context) {
    byte[] iv = CryptoRandom.bytes(IV_LENGTH);
    byte[] sealed = hsm.encryptAesGcm(kek, iv, dataKey, aad(context));
    return ByteBuffer.allocate(1 + IV_LENGTH + sealed.length)
        .put(GCM_FORMAT)
        .put(iv)
        .put(sealed)
        .array();
  }

  private static byte[] unwrapGcm(Hsm hsm, HsmKey kek, byte[] bytes, EncryptionContext context) {
    int min = 1 + IV_LENGTH + MIN_DATA_KEY_LENGTH + TAG_LENGTH;
    int max = 1 + IV_LENGTH + MAX_DATA_KEY_LENGTH + TAG_LENGTH;
    if (bytes.length < min || bytes.length > max) {
      throw new MalformedCiphertextException(
          "pkcs11 AES-GCM wrapped key is " + bytes.length + " bytes; it is " + min + ".." + max);
    }
    byte[] iv = Arrays.copyOfRange(bytes, 1, 1 + IV_LENGTH);
    byte[] sealed = Arrays.copyOfRange(bytes, 1 + IV_LENGTH, bytes.length);
    return hsm.decryptAesGcm(kek, iv, sealed, aad(context));
  }

  private byte[] wrapKeyWrapPad(Hsm hsm, HsmKey kek, byte[] dataKey, EncryptionContext context) {
    byte[] r = CryptoRandom.bytes(R_LENGTH);
    byte[] w = null;
    try {
      byte[] wrappedR = hsm.wrapKeyPad(kek, r);
      w = deriveW(r, context);
      byte[] wrappedKey = primitives.wrapKey(KeyWrapMode.AES_KWP, w, dataKey);
      return ByteBuffer.allocate(1 + wrappedR.length + wrappedKey.length)
          .put(KWP_FORMAT)
          .put(wrappedR)
          .put(wrappedKey)
          .array();
    } finally {
      Bytes.zero(r);
      Bytes.zero(w);
    }
  }

  private byte[] unwrapKeyWrapPad(Hsm hsm, HsmKey kek, byte[] bytes, EncryptionContext context) {
    int min = 1 + WRAPPED_R_LENGTH + MIN_DATA_KEY_LENGTH + 8;
    int max = 1 + WRAPPED_R_LENGTH + MAX_DATA_KEY_LENGTH + 8;
    if (bytes.length < min || bytes.length > max || (bytes.length - 1) % 8 != 0) {
      throw new MalformedCiphertextException(
          "pkcs11 key-wrap wrapped key is "
              + bytes.length
              + " bytes; it is "
              + min
              + ".."
              + max
              + ", 1 plus a multiple of 8");
    }
    byte[] r = null;
    byte[] w = null;
    try {
      r = hsm.unwrapKeyPad(kek, Arrays.copyOfRange(bytes, 1, 1 + WRAPPED_R_LENGTH));
      if (r.length != R_LENGTH) {
        throw new AuthenticationFailedException(
            "the HSM unwrapped a " + r.length + "-byte key where 32 bytes belong");
      }
      w = deriveW(r, context);
      try {
        return primitives.unwrapKey(
            KeyWrapMode.AES_KWP, w, Arrays.copyOfRange(bytes, 1 + WRAPPED_R_LENGTH, bytes.length));
      } catch (AuthenticationFailedException | MalformedCiphertextException e) {
        // The length was checked above, so any refusal here is a failed integrity check.
        throw new AuthenticationFailedException(
            "pkcs11 unwrap failed its integrity check: a different encryption context than at wrap"
                + " time, or modified wrapped bytes",
            e);
      }
    } finally {
      Bytes.zero(r);
      Bytes.zero(w);
    }
  }

  private byte[] deriveW(byte[] r, EncryptionContext context) {
    byte[] encoded = context.encoded();
    byte[] info =
        ByteBuffer.allocate(KWP_LABEL.length + encoded.length).put(KWP_LABEL).put(encoded).array();
    return primitives.hkdfSha256(r, new byte[0], info, 32);
  }

  private static byte[] aad(EncryptionContext context) {
    byte[] encoded = context.encoded();
    return ByteBuffer.allocate(GCM_LABEL.length + encoded.length)
        .put(GCM_LABEL)
        .put(encoded)
        .array();
  }

  private WrapPath choosePath(Capabilities capabilities) {
    WrapPath other = preferred == WrapPath.AES_GCM ? WrapPath.KEY_WRAP_PAD : WrapPath.AES_GCM;
    for (WrapPath path : List.of(preferred, other)) {
      if (capabilities.supports(operationFor(path))) {
        return path;
      }
    }
    throw new ConfigurationException(
        "token "
            + capabilities.token()
            + " cannot wrap keys through the "
            + capabilities.backend()
            + " backend: "
            + capabilities.unavailable().get(Capabilities.Operation.AES_KEY_WRAP_PAD)
            + "; "
            + capabilities.unavailable().get(Capabilities.Operation.AES_GCM));
  }

  private static Capabilities.Operation operationFor(WrapPath path) {
    return switch (path) {
      case AES_GCM -> Capabilities.Operation.AES_GCM;
      case KEY_WRAP_PAD -> Capabilities.Operation.AES_KEY_WRAP_PAD;
    };
  }

  // --- KeyRef to token and key ------------------------------------------------------------

  private AuditedOperation audited(Operation operation, KeyRef keyRef, int bytes) {
    String token = keyRef instanceof Pkcs11KeyRef p ? p.pathAttribute("token").orElse(null) : null;
    return AuditedOperation.of(operation, "pkcs11-" + backend.name().toLowerCase(Locale.ROOT))
        .withKeyRef(keyRef.toString())
        .withRegion(token)
        .withBytes(bytes);
  }

  private static Pkcs11KeyRef requirePkcs11(KeyRef keyRef) {
    if (keyRef instanceof Pkcs11KeyRef pkcs11) {
      for (String name : UNCHECKED_PATH_ATTRIBUTES) {
        if (pkcs11.pathAttribute(name).isPresent()) {
          throw new InvalidInputException(
              "the pkcs11 key wrapper does not match tokens on '"
                  + name
                  + "' yet; name the token by token= or slot-id=");
        }
      }
      if (pkcs11.queryAttribute("module-name").isPresent()) {
        throw new InvalidInputException(
            "the pkcs11 key wrapper needs module-path, not module-name");
      }
      return pkcs11;
    }
    throw new InvalidInputException(
        "the pkcs11 key wrapper serves pkcs11: KeyRefs only, not " + keyRef.scheme().prefix());
  }

  private static HsmKey keyIn(Pkcs11KeyRef ref) {
    String type = ref.pathAttribute("type").orElse("secret-key");
    if (!type.equals("secret-key")) {
      throw new InvalidInputException(
          "a pkcs11 key-encryption key has type=secret-key, not " + type);
    }
    String label = ref.pathAttribute("object").orElse(null);
    byte[] id = ref.id().orElse(null);
    if (label == null && id == null) {
      throw new InvalidInputException(
          "a pkcs11 KeyRef for a key-encryption key needs object= or id=");
    }
    return HsmKey.of(label, id);
  }

  /** The one token handle per module, token, backend and PIN source. */
  Hsm hsmFor(Pkcs11KeyRef ref) {
    Path module = modulePath(ref);
    String token =
        ref.pathAttribute("token")
            .map(label -> "token=" + label)
            .or(() -> ref.pathAttribute("slot-id").map(slot -> "slot-id=" + slot))
            .orElseThrow(
                () ->
                    new InvalidInputException(
                        "a pkcs11 KeyRef needs token= or slot-id= to choose the token"));
    return tokens.computeIfAbsent(
        new TokenHandle(module, token, backend, pinIdentity(ref)),
        unused -> Hsm.open(configFor(ref, module)));
  }

  /**
   * What tells the PIN sources of KeyRefs apart without holding a PIN: a {@code pin-value} by its
   * HMAC under a key made for this process, a {@code pin-source} by its URI, and the builder's
   * source by the object itself.
   */
  private Object pinIdentity(Pkcs11KeyRef ref) {
    char[] pin = ref.pinValue().orElse(null);
    if (pin != null) {
      ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pin));
      byte[] bytes = new byte[encoded.remaining()];
      encoded.get(bytes);
      try {
        return PIN_VALUE + HexFormat.of().formatHex(primitives.hmacSha256(PIN_IDENTITY_KEY, bytes));
      } finally {
        Arrays.fill(pin, '\0');
        Bytes.zero(encoded.array());
        Bytes.zero(bytes);
      }
    }
    return ref.queryAttribute("pin-source")
        .<Object>map(uri -> "pin-source=" + uri)
        .orElse(pinSource);
  }

  /**
   * A cached token handle's name. Keyed by PIN source too, so that a KeyRef never uses a handle
   * logged in (or refused) with another KeyRef's PIN; printed without the PIN's HMAC.
   */
  private record TokenHandle(Path module, String token, HsmConfig.Backend backend, Object pin) {
    @Override
    public String toString() {
      String source =
          pin instanceof String named
              ? (named.startsWith(PIN_VALUE) ? "pin-value" : named)
              : "the wrapper's PIN source";
      return module + "|" + token + "|" + backend + "|" + source;
    }
  }

  private HsmConfig configFor(Pkcs11KeyRef ref, Path module) {
    HsmConfig.Builder config =
        HsmConfig.builder(module).backend(backend).maxSessions(maxSessions).auditSink(auditSink);
    ref.pathAttribute("token")
        .ifPresentOrElse(
            config::tokenLabel,
            () -> config.slotId(Long.parseLong(ref.pathAttribute("slot-id").orElseThrow())));
    char[] pin = ref.pinValue().orElse(null);
    if (pin != null) {
      config.pinSource(PinSource.of(pin));
      Arrays.fill(pin, '\0');
    } else {
      config.pinSource(ref.queryAttribute("pin-source").map(PinSource::fromUri).orElse(pinSource));
    }
    return config.build();
  }

  private static Path modulePath(Pkcs11KeyRef ref) {
    String module =
        ref.queryAttribute("module-path").orElseGet(() -> System.getProperty(MODULE_PROPERTY));
    if (module == null || module.isBlank()) {
      throw new ConfigurationException(
          "the pkcs11 KeyRef has no module-path and -D"
              + MODULE_PROPERTY
              + " is not set; name the PKCS#11 module");
    }
    return Path.of(module.strip());
  }

  /** Configures a {@link Pkcs11KeyWrapper}; every setting has a default. */
  public static final class Builder {
    private AuditSink auditSink = AuditSink.NONE;
    private PinSource pinSource = PinSource.NONE;
    private HsmConfig.Backend backend = HsmConfig.Backend.FFM;
    private int maxSessions = 4;
    private WrapPath preferred = WrapPath.KEY_WRAP_PAD;
    private boolean shareTokens;

    private Builder() {}

    /**
     * Share token handles with every other wrapper built so, for the JVM's life: what the
     * ServiceLoader provider does, as {@code KeyWrappers.forKeyRef} makes a wrapper per call.
     */
    Builder shareTokens() {
      this.shareTokens = true;
      return this;
    }

    /** Receives an event per wrap, unwrap and login; {@link AuditSink#NONE} by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    /** The PIN for KeyRefs that carry neither {@code pin-value} nor {@code pin-source}. */
    public Builder pinSource(PinSource pinSource) {
      this.pinSource = Objects.requireNonNull(pinSource, "pinSource");
      return this;
    }

    /** The PKCS#11 backend; {@link HsmConfig.Backend#FFM} by default. */
    public Builder backend(HsmConfig.Backend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /** Sessions per token; 4 by default. */
    public Builder maxSessions(int maxSessions) {
      if (maxSessions < 1) {
        throw new InvalidInputException("maxSessions must be at least 1");
      }
      this.maxSessions = maxSessions;
      return this;
    }

    /** The path to take when the token supports both; {@link WrapPath#KEY_WRAP_PAD} by default. */
    public Builder preferredPath(WrapPath preferred) {
      this.preferred = Objects.requireNonNull(preferred, "preferred");
      return this;
    }

    public Pkcs11KeyWrapper build() {
      return new Pkcs11KeyWrapper(this);
    }
  }
}
