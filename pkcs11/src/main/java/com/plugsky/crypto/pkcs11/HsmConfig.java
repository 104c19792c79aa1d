package com.plugsky.crypto.pkcs11;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.audit.AuditSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * How to reach one token: the PKCS#11 module, the token (by label, or by slot id), the PIN source,
 * the backend, and the session pool's bounds. Immutable; holds no PIN, only where to get it.
 */
public final class HsmConfig {
  private final Path modulePath;
  private final String tokenLabel;
  private final Long slotId;
  private final PinSource pinSource;
  private final Backend backend;
  private final int maxSessions;
  private final Duration borrowTimeout;
  private final Duration validateAfterIdle;
  private final AuditSink auditSink;
  private final Set<Quirk> quirks;

  private HsmConfig(Builder b) {
    this.modulePath = b.modulePath;
    this.tokenLabel = b.tokenLabel;
    this.slotId = b.slotId;
    this.pinSource = b.pinSource;
    this.backend = b.backend;
    this.maxSessions = b.maxSessions;
    this.borrowTimeout = b.borrowTimeout;
    this.validateAfterIdle = b.validateAfterIdle;
    this.auditSink = b.auditSink;
    this.quirks = Set.copyOf(b.quirks);
  }

  public static Builder builder(Path modulePath) {
    return new Builder(modulePath);
  }

  /** The PKCS#11 module (shared library), e.g. {@code /usr/lib/softhsm/libsofthsm2.so}. */
  public Path modulePath() {
    return modulePath;
  }

  /** The token's label ({@code CK_TOKEN_INFO.label}, trailing blanks ignored). */
  public Optional<String> tokenLabel() {
    return Optional.ofNullable(tokenLabel);
  }

  /** The slot, when the token is chosen by slot id rather than by label. */
  public OptionalLong slotId() {
    return slotId == null ? OptionalLong.empty() : OptionalLong.of(slotId);
  }

  public PinSource pinSource() {
    return pinSource;
  }

  public Backend backend() {
    return backend;
  }

  /** Most sessions open on the token at once; callers beyond that wait. */
  public int maxSessions() {
    return maxSessions;
  }

  /** How long a call waits for a free session before failing as unavailable. */
  public Duration borrowTimeout() {
    return borrowTimeout;
  }

  /** A pooled session idle for longer than this is checked with C_GetSessionInfo before use. */
  public Duration validateAfterIdle() {
    return validateAfterIdle;
  }

  /**
   * Receives an {@code HSM_LOGIN} event for every login and a {@code SIGN} event for every
   * signature; data-key wraps and unwraps are audited by {@link
   * com.plugsky.crypto.pkcs11.keywrap.Pkcs11KeyWrapper}, not here.
   */
  public AuditSink auditSink() {
    return auditSink;
  }

  /** Vendor behaviours to expect, beyond those detected from the module's manufacturer. */
  public Set<Quirk> quirks() {
    return quirks;
  }

  /** {@code module=/usr/lib/softhsm/libsofthsm2.so, token=hsm1, backend=FFM}: no PIN, ever. */
  @Override
  public String toString() {
    return "module="
        + modulePath
        + (tokenLabel != null ? ", token=" + tokenLabel : "")
        + (slotId != null ? ", slot=" + slotId : "")
        + ", backend="
        + backend;
  }

  /** The PKCS#11 implementations this library can drive a token through. */
  public enum Backend {
    /** The library's own java.lang.foreign binding of the PKCS#11 C API. */
    FFM,
    /** The JDK's SunPKCS11 provider, configured from these settings. */
    SUNPKCS11,
    /** The IAIK-derived JNI wrapper {@code org.xipki:ipkcs11wrapper}. */
    IAIK
  }

  /** Ways a module departs from the PKCS#11 standard that the backends can compensate for. */
  public enum Quirk {
    /**
     * The module reports a failed GCM tag or key-wrap integrity check as {@code CKR_GENERAL_ERROR}
     * rather than {@code CKR_ENCRYPTED_DATA_INVALID}/{@code CKR_WRAPPED_KEY_INVALID}; such a result
     * of C_Decrypt or C_UnwrapKey is then an authentication failure. Set automatically for SoftHSM
     * (library manufacturer "SoftHSM").
     */
    GENERAL_ERROR_ON_INTEGRITY_FAILURE,
    /**
     * The module zero-pads a secret to a multiple of 8 bytes before CKM_AES_KEY_WRAP_PAD, so for
     * other lengths its output records the padded length and is not RFC 5649 (SoftHSM 2.6.1: a
     * 20-byte secret comes back from any RFC 5649 unwrap as 24 bytes); {@link Hsm#wrapKeyPad} then
     * refuses secrets whose length is not a multiple of 8. Set automatically for SoftHSM.
     */
    KEY_WRAP_PAD_PADS_INPUT,
    /**
     * The module re-reads a token object from its store whenever the object is used (SoftHSM 2.6's
     * file store opens, locks and reads the object's file on every attribute it consults, about a
     * dozen per C_SignInit), so the ffm and iaik backends sign with a session copy of each private
     * key instead: C_CopyObject with CKA_TOKEN false, unnamed, made on first use and kept until the
     * key is destroyed or the session holding it closes. The copy is as sensitive and unextractable
     * as the key and lives in the token like it. SunPKCS11 has no way to copy an object, so the
     * sunpkcs11 backend signs with the token object. Set automatically for SoftHSM.
     */
    TOKEN_OBJECTS_REREAD_ON_USE,
    /**
     * The module can lose a token object it is creating when another thread of the process searches
     * the same token meanwhile (SoftHSM 2.6.1: C_FindObjects re-indexes the token directory while
     * C_GenerateKey, C_GenerateKeyPair or C_CreateObject records a new object, which then fails
     * with {@code CKR_GENERAL_ERROR} or {@code CKR_TEMPLATE_INCONSISTENT}; SoftHSM issue 573, fixed
     * by its pull request 576 in 2.7.0). The backends then run no search of the token while one of
     * their calls creates or destroys a token object there (one lock per module and token for the
     * whole process); searches still run side by side, cryptographic calls and session objects are
     * not held up, and a key's duplicate check and creation become one step. Set automatically for
     * SoftHSM.
     */
    FIND_RACES_TOKEN_OBJECT_CREATION
  }

  /** Builds an {@link HsmConfig}; only the module and the token are required. */
  public static final class Builder {
    private final Path modulePath;
    private String tokenLabel;
    private Long slotId;
    private PinSource pinSource = PinSource.NONE;
    private Backend backend = Backend.FFM;
    private int maxSessions = 4;
    private Duration borrowTimeout = Duration.ofSeconds(5);
    private Duration validateAfterIdle = Duration.ofSeconds(30);
    private AuditSink auditSink = AuditSink.NONE;
    private final Set<Quirk> quirks = EnumSet.noneOf(Quirk.class);

    private Builder(Path modulePath) {
      this.modulePath = Objects.requireNonNull(modulePath, "modulePath").toAbsolutePath();
    }

    public Builder tokenLabel(String tokenLabel) {
      this.tokenLabel = Objects.requireNonNull(tokenLabel, "tokenLabel");
      return this;
    }

    public Builder slotId(long slotId) {
      if (slotId < 0) {
        throw new InvalidInputException("slot id must not be negative");
      }
      this.slotId = slotId;
      return this;
    }

    public Builder pinSource(PinSource pinSource) {
      this.pinSource = Objects.requireNonNull(pinSource, "pinSource");
      return this;
    }

    public Builder backend(Backend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    public Builder maxSessions(int maxSessions) {
      if (maxSessions < 1 || maxSessions > 1024) {
        throw new InvalidInputException("maxSessions must be 1..1024, got " + maxSessions);
      }
      this.maxSessions = maxSessions;
      return this;
    }

    public Builder borrowTimeout(Duration borrowTimeout) {
      if (borrowTimeout.isNegative()) {
        throw new InvalidInputException("borrowTimeout must not be negative");
      }
      this.borrowTimeout = borrowTimeout;
      return this;
    }

    public Builder validateAfterIdle(Duration validateAfterIdle) {
      if (validateAfterIdle.isNegative()) {
        throw new InvalidInputException("validateAfterIdle must not be negative");
      }
      this.validateAfterIdle = validateAfterIdle;
      return this;
    }

    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    public Builder quirk(Quirk quirk) {
      quirks.add(Objects.requireNonNull(quirk, "quirk"));
      return this;
    }

    /**
     * @throws InvalidInputException when neither or both of token label and slot id are set
     */
    public HsmConfig build() {
      if ((tokenLabel == null) == (slotId == null)) {
        throw new InvalidInputException("name the token by exactly one of token label and slot id");
      }
      return new HsmConfig(this);
    }
  }
}
