package com.plugsky.crypto.tls.mtls;

import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * Validates with the JDK's PKIX trust manager, then checks the pins; every refusal names the peer
 * and the reason, and the provider sends the matching TLS alert.
 */
final class PinningTrustManager extends X509ExtendedTrustManager {
  private static final int SAN_URI = 6;

  private final X509ExtendedTrustManager pkix;
  private final Set<URI> pinnedUris;
  private final Set<X500Principal> pinnedSubjects;

  PinningTrustManager(
      X509ExtendedTrustManager pkix, Set<URI> pinnedUris, Set<X500Principal> pinnedSubjects) {
    this.pkix = pkix;
    this.pinnedUris = pinnedUris;
    this.pinnedSubjects = pinnedSubjects;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    requirePresent(chain, "client");
    validate("client", chain, () -> pkix.checkClientTrusted(chain, authType, socket));
    checkPins("client", chain[0]);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    requirePresent(chain, "client");
    validate("client", chain, () -> pkix.checkClientTrusted(chain, authType, engine));
    checkPins("client", chain[0]);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    requirePresent(chain, "client");
    validate("client", chain, () -> pkix.checkClientTrusted(chain, authType));
    checkPins("client", chain[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    requirePresent(chain, "server");
    validate("server", chain, () -> pkix.checkServerTrusted(chain, authType, socket));
    checkPins("server", chain[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    requirePresent(chain, "server");
    validate("server", chain, () -> pkix.checkServerTrusted(chain, authType, engine));
    checkPins("server", chain[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    requirePresent(chain, "server");
    validate("server", chain, () -> pkix.checkServerTrusted(chain, authType));
    checkPins("server", chain[0]);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }

  private static void requirePresent(X509Certificate[] chain, String peer)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the " + peer + " sent no certificate");
    }
  }

  private interface Check {
    void run() throws CertificateException;
  }

  private static void validate(String peer, X509Certificate[] chain, Check check)
      throws CertificateException {
    try {
      check.run();
    } catch (CertificateException e) {
      throw new CertificateException(
          "the "
              + peer
              + " certificate "
              + chain[0].getSubjectX500Principal().getName()
              + " is not trusted: "
              + e.getMessage(),
          e);
    }
  }

  private void checkPins(String peer, X509Certificate leaf) throws CertificateException {
    if (pinnedUris.isEmpty() && pinnedSubjects.isEmpty()) {
      return;
    }
    if (pinnedSubjects.contains(leaf.getSubjectX500Principal())) {
      return;
    }
    List<URI> uris = uriSans(leaf);
    for (URI uri : uris) {
      if (pinnedUris.contains(uri)) {
        return;
      }
    }
    throw new CertificateException(
        "the "
            + peer
            + " certificate "
            + leaf.getSubjectX500Principal().getName()
            + " (URI SANs "
            + uris
            + ") matches no pinned identity (URIs "
            + pinnedUris
            + ", subjects "
            + pinnedSubjects.stream().map(X500Principal::getName).toList()
            + ")");
  }

  private static List<URI> uriSans(X509Certificate leaf) throws CertificateParsingException {
    Collection<List<?>> names = leaf.getSubjectAlternativeNames();
    List<URI> uris = new ArrayList<>();
    if (names == null) {
      return uris;
    }
    for (List<?> name : names) {
      if (name.size() == 2 && Integer.valueOf(SAN_URI).equals(name.get(0))) {
        try {
          uris.add(new URI((String) name.get(1)));
        } catch (URISyntaxException e) {
          // A malformed URI SAN cannot match a pin; the others may still.
        }
      }
    }
    return uris;
  }
}
