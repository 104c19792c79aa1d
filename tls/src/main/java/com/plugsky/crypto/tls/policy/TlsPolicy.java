package com.plugsky.crypto.tls.policy;

import com.plugsky.crypto.InvalidInputException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;

/**
 * What every context this module builds enforces, on BoringSSL and on the JDK alike: TLS 1.3 and
 * nothing older (so no renegotiation, which TLS 1.3 removed), all three TLS 1.3 suites, a short
 * list of key-exchange groups, ALPN, session resumption and a handshake deadline.
 *
 * <p>Defaults: suites AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305; groups X25519 then P-256; ALPN
 * h2 then http/1.1; resumption on with a 2-hour ticket lifetime; a 10-second handshake timeout.
 *
 * <p>Suite order is honoured by the JDK provider only: BoringSSL takes no TLS 1.3 suite
 * configuration through Netty; as a client it offers its own fixed order (AES-GCM first on CPUs
 * with AES instructions), as a server it follows the client's preference. The default
 * groups leave out X25519MLKEM768, which BoringSSL would prefer but JDK 25 lacks, so the same
 * policy runs on both providers and a JDK peer never costs a HelloRetryRequest; add it with {@link
 * Builder#groups} for BoringSSL-only deployments.
 */
public final class TlsPolicy {
  /** The only protocol version this module speaks. */
  public static final String TLS_1_3 = "TLSv1.3";

  private static final TlsPolicy DEFAULTS = builder().build();

  private final List<TlsCipherSuite> cipherSuites;
  private final List<NamedGroup> groups;
  private final List<String> applicationProtocols;
  private final Duration sessionTimeout;
  private final int sessionCacheSize;
  private final Duration handshakeTimeout;

  private TlsPolicy(Builder b) {
    this.cipherSuites = b.cipherSuites;
    this.groups = b.groups;
    this.applicationProtocols = b.applicationProtocols;
    this.sessionTimeout = b.sessionTimeout;
    this.sessionCacheSize = b.sessionCacheSize;
    this.handshakeTimeout = b.handshakeTimeout;
  }

  public static TlsPolicy defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** All three TLS 1.3 suites, most preferred first. */
  public List<TlsCipherSuite> cipherSuites() {
    return cipherSuites;
  }

  public List<String> cipherSuiteNames() {
    return cipherSuites.stream().map(TlsCipherSuite::ianaName).toList();
  }

  /** Key-exchange groups, most preferred first. */
  public List<NamedGroup> groups() {
    return groups;
  }

  /** ALPN protocol ids, most preferred first ({@code h2}, {@code http/1.1}). */
  public List<String> applicationProtocols() {
    return applicationProtocols;
  }

  /** How long a session ticket may be used to resume. */
  public Duration sessionTimeout() {
    return sessionTimeout;
  }

  /** Most sessions a context keeps for resumption. */
  public int sessionCacheSize() {
    return sessionCacheSize;
  }

  /** A handshake not finished by then is abandoned and its connection closed. */
  public Duration handshakeTimeout() {
    return handshakeTimeout;
  }

  /** Builds a {@link TlsPolicy}; every setting has a default. */
  public static final class Builder {
    private List<TlsCipherSuite> cipherSuites =
        List.of(
            TlsCipherSuite.TLS_AES_128_GCM_SHA256,
            TlsCipherSuite.TLS_AES_256_GCM_SHA384,
            TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256);
    private List<NamedGroup> groups = List.of(NamedGroup.X25519, NamedGroup.SECP256R1);
    private List<String> applicationProtocols = List.of("h2", "http/1.1");
    private Duration sessionTimeout = Duration.ofHours(2);
    private int sessionCacheSize = 20_480;
    private Duration handshakeTimeout = Duration.ofSeconds(10);

    private Builder() {}

    /**
     * The preference order of the three TLS 1.3 suites (JDK provider only; see the class comment).
     *
     * @throws InvalidInputException unless {@code order} names each suite exactly once
     */
    public Builder cipherSuiteOrder(TlsCipherSuite... order) {
      List<TlsCipherSuite> suites = List.of(order);
      if (suites.size() != TlsCipherSuite.values().length
          || EnumSet.copyOf(suites).size() != suites.size()) {
        throw new InvalidInputException(
            "name each of the three TLS 1.3 suites exactly once, got " + suites);
      }
      this.cipherSuites = suites;
      return this;
    }

    /**
     * Key-exchange groups, most preferred first.
     *
     * @throws InvalidInputException when empty or repeated
     */
    public Builder groups(NamedGroup... groups) {
      List<NamedGroup> list = List.of(groups);
      if (list.isEmpty() || EnumSet.copyOf(list).size() != list.size()) {
        throw new InvalidInputException("groups must be non-empty and distinct, got " + list);
      }
      this.groups = list;
      return this;
    }

    /** ALPN ids, most preferred first; the HTTPS server understands {@code h2} and {@code http/1.1}. */
    public Builder applicationProtocols(String... protocols) {
      List<String> list = List.of(protocols);
      if (list.isEmpty() || list.stream().anyMatch(String::isBlank)) {
        throw new InvalidInputException("ALPN protocols must be non-empty names, got " + list);
      }
      this.applicationProtocols = list;
      return this;
    }

    public Builder sessionTimeout(Duration sessionTimeout) {
      if (sessionTimeout.isNegative()
          || sessionTimeout.isZero()
          || sessionTimeout.compareTo(Duration.ofDays(7)) > 0) {
        throw new InvalidInputException(
            "session timeout must be within (0, 7 days] (RFC 8446 caps ticket lifetime), got "
                + sessionTimeout);
      }
      this.sessionTimeout = sessionTimeout;
      return this;
    }

    public Builder sessionCacheSize(int sessionCacheSize) {
      if (sessionCacheSize < 1) {
        throw new InvalidInputException("session cache size must be positive");
      }
      this.sessionCacheSize = sessionCacheSize;
      return this;
    }

    public Builder handshakeTimeout(Duration handshakeTimeout) {
      if (Objects.requireNonNull(handshakeTimeout, "handshakeTimeout").isNegative()
          || handshakeTimeout.isZero()) {
        throw new InvalidInputException("handshake timeout must be positive");
      }
      this.handshakeTimeout = handshakeTimeout;
      return this;
    }

    public TlsPolicy build() {
      return new TlsPolicy(this);
    }
  }
}
