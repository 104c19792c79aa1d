package com.plugsky.crypto.tls.mtls;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.GeneralSecurityException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * How a peer's certificate is judged: its chain must lead to one of the {@link TrustAnchors} (PKIX,
 * with the JDK's validator), and, when pins are set, its leaf must carry one of the pinned URI SANs
 * (SPIFFE ids such as {@code spiffe://example.org/ns/prod/sa/orders}) or have one of the pinned
 * subjects. Used by servers for client certificates (mTLS) and by clients for the server.
 */
public final class PeerVerification {
  private final TrustAnchors anchors;
  private final Set<URI> pinnedUris;
  private final Set<X500Principal> pinnedSubjects;

  private PeerVerification(Builder b) {
    this.anchors = b.anchors;
    this.pinnedUris = Set.copyOf(b.pinnedUris);
    this.pinnedSubjects = Set.copyOf(b.pinnedSubjects);
  }

  public static Builder builder(TrustAnchors anchors) {
    return new Builder(anchors);
  }

  /** Chain validation only, no pins. */
  public static PeerVerification trusting(TrustAnchors anchors) {
    return builder(anchors).build();
  }

  public TrustAnchors anchors() {
    return anchors;
  }

  /**
   * A trust manager that validates the chain, then checks the pins, with a message that says which.
   */
  public X509ExtendedTrustManager trustManager() {
    try {
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(anchors.keyStore());
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager x509) {
          return new PinningTrustManager(x509, pinnedUris, pinnedSubjects);
        }
      }
      throw new IllegalStateException("the JDK's trust manager factory made no X.509 manager");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK's PKIX trust manager factory failed", e);
    }
  }

  /** Builds a {@link PeerVerification}. */
  public static final class Builder {
    private final TrustAnchors anchors;
    private final Set<URI> pinnedUris = new LinkedHashSet<>();
    private final Set<X500Principal> pinnedSubjects = new LinkedHashSet<>();

    private Builder(TrustAnchors anchors) {
      this.anchors = Objects.requireNonNull(anchors, "anchors");
    }

    /**
     * Accepts a peer whose leaf carries this URI SAN; repeat to allow several. Pins are
     * alternatives: a peer matching any one URI or subject pin is accepted.
     */
    public Builder pinUriSan(String uri) {
      URI parsed;
      try {
        parsed = new URI(uri);
      } catch (URISyntaxException e) {
        throw new InvalidInputException("not a URI: " + uri, e);
      }
      if (parsed.getScheme() == null) {
        throw new InvalidInputException(
            "a pinned URI SAN needs a scheme, e.g. spiffe://, got " + uri);
      }
      pinnedUris.add(parsed);
      return this;
    }

    /**
     * Accepts a peer whose leaf has exactly this subject (RFC 2253, e.g. {@code CN=orders,O=Acme}),
     * whatever its URI SANs; like every pin, an alternative to the others.
     */
    public Builder pinSubject(String subject) {
      try {
        pinnedSubjects.add(new X500Principal(subject));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("not an X.500 name: " + subject, e);
      }
      return this;
    }

    public Builder pinUriSans(List<String> uris) {
      uris.forEach(this::pinUriSan);
      return this;
    }

    public PeerVerification build() {
      return new PeerVerification(this);
    }
  }
}
