package com.plugsky.crypto.tls.keys;

import com.plugsky.crypto.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The certificate authorities a peer's chain must lead to (for mTLS, the client CAs). */
public final class TrustAnchors {
  private final List<X509Certificate> certificates;

  private TrustAnchors(List<X509Certificate> certificates) {
    if (certificates.isEmpty()) {
      throw new InvalidInputException("trust anchors need at least one certificate");
    }
    this.certificates = List.copyOf(certificates);
  }

  public static TrustAnchors of(List<X509Certificate> certificates) {
    return new TrustAnchors(certificates);
  }

  /** Every certificate in a PEM file. */
  public static TrustAnchors fromPem(Path file) {
    return new TrustAnchors(Pem.certificates(file));
  }

  /** The trusted-certificate entries of a PKCS#12 trust store (key entries are not anchors). */
  public static TrustAnchors fromPkcs12(Path file, char[] password) {
    KeyStore store = CertifiedKey.Pkcs12.load(file, password);
    List<X509Certificate> found = new ArrayList<>();
    try {
      for (String alias : Collections.list(store.aliases())) {
        if (store.isCertificateEntry(alias)
            && store.getCertificate(alias) instanceof X509Certificate x509) {
          found.add(x509);
        }
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("cannot read certificates from " + file, e);
    }
    if (found.isEmpty()) {
      throw new InvalidInputException("no trusted-certificate entry in PKCS#12 file " + file);
    }
    return new TrustAnchors(found);
  }

  public List<X509Certificate> certificates() {
    return certificates;
  }

  /** A key store holding the anchors as trusted entries, for a {@code TrustManagerFactory}. */
  public KeyStore keyStore() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("anchor-" + i, certificates.get(i));
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("an empty in-memory PKCS#12 store failed to initialise", e);
    }
  }
}
