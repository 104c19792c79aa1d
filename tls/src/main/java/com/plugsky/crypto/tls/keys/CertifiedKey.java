package com.plugsky.crypto.tls.keys;

import com.plugsky.crypto.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A private key and its certificate chain (leaf first), checked on creation to belong together.
 * Its key manager offers this one identity to every handshake.
 */
public final class CertifiedKey implements TlsCredentials {
  private static final PSSParameterSpec PSS_SHA256 =
      new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

  private final PrivateKey privateKey;
  private final List<X509Certificate> chain;
  private final X509ExtendedKeyManager keyManager;

  private CertifiedKey(PrivateKey privateKey, List<X509Certificate> chain) {
    this.privateKey = privateKey;
    this.chain = chain;
    this.keyManager = new IdentityKeyManager(chain, privateKey);
  }

  /**
   * @throws InvalidInputException when the chain is empty or the key does not match its leaf
   */
  public static CertifiedKey of(PrivateKey privateKey, List<X509Certificate> chain) {
    Objects.requireNonNull(privateKey, "privateKey");
    List<X509Certificate> copy = List.copyOf(chain);
    if (copy.isEmpty()) {
      throw new InvalidInputException("a certificate chain needs at least the leaf certificate");
    }
    requireMatch(privateKey, copy.getFirst().getPublicKey());
    return new CertifiedKey(privateKey, copy);
  }

  /** The chain (leaf first) from one PEM file and the PKCS#8 key from another. */
  public static CertifiedKey fromPem(Path chainFile, Path keyFile) {
    List<X509Certificate> chain = Pem.certificates(chainFile);
    String algorithm = chain.getFirst().getPublicKey().getAlgorithm();
    return of(Pem.privateKey(keyFile, algorithm), chain);
  }

  /**
   * The one key entry in a PKCS#12 file.
   *
   * @throws InvalidInputException when the file holds no key entry or several, or the password is
   *     wrong
   */
  public static CertifiedKey fromPkcs12(Path file, char[] password) {
    KeyStore store = Pkcs12.load(file, password);
    try {
      List<String> keyAliases =
          Collections.list(store.aliases()).stream()
              .filter(alias -> isKeyEntry(store, alias))
              .toList();
      if (keyAliases.size() != 1) {
        throw new InvalidInputException(
            file + " must hold exactly one private key entry, found " + keyAliases.size());
      }
      String alias = keyAliases.getFirst();
      Key key = store.getKey(alias, password);
      Certificate[] chain = store.getCertificateChain(alias);
      if (!(key instanceof PrivateKey privateKey) || chain == null) {
        throw new InvalidInputException(file + ": entry '" + alias + "' has no key and chain");
      }
      return of(
          privateKey, Arrays.stream(chain).map(X509Certificate.class::cast).toList());
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException("cannot read the key entry of " + file, e);
    }
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  /** Leaf first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  @Override
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** Names the leaf, never the key. */
  @Override
  public String toString() {
    return "CertifiedKey[" + chain.getFirst().getSubjectX500Principal().getName() + "]";
  }

  private static boolean isKeyEntry(KeyStore store, String alias) {
    try {
      return store.isKeyEntry(alias);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** A signature round trip: works for every algorithm without comparing key internals. */
  static void requireMatch(PrivateKey privateKey, PublicKey publicKey) {
    String algorithm =
        switch (privateKey.getAlgorithm()) {
          case "EC" -> "SHA256withECDSA";
          case "RSA" -> "SHA256withRSA";
          case "RSASSA-PSS" -> "RSASSA-PSS";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default ->
              throw new InvalidInputException(
                  "unsupported private key algorithm " + privateKey.getAlgorithm());
        };
    try {
      byte[] probe = "plugsky-tls-key-match".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      if (algorithm.equals("RSASSA-PSS")) {
        signer.setParameter(PSS_SHA256);
      }
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      if (algorithm.equals("RSASSA-PSS")) {
        verifier.setParameter(PSS_SHA256);
      }
      verifier.initVerify(publicKey);
      verifier.update(probe);
      if (!verifier.verify(signature)) {
        throw new InvalidInputException("the private key does not match the leaf certificate");
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(
          "the private key does not match the leaf certificate's "
              + publicKey.getAlgorithm()
              + " key",
          e);
    }
  }

  /** PKCS#12 loading shared with {@link TrustAnchors}. */
  static final class Pkcs12 {
    private Pkcs12() {}

    static KeyStore load(Path file, char[] password) {
      try (InputStream in = Files.newInputStream(file)) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(in, password);
        return store;
      } catch (IOException e) {
        if (e.getCause() instanceof UnrecoverableKeyException
            || String.valueOf(e.getMessage()).contains("password")) {
          throw new InvalidInputException("wrong password for PKCS#12 file " + file, e);
        }
        if (e instanceof NoSuchFileException) {
          throw new UncheckedIOException("cannot read " + file, e);
        }
        throw new InvalidInputException("cannot read PKCS#12 file " + file, e);
      } catch (GeneralSecurityException e) {
        throw new InvalidInputException("cannot read PKCS#12 file " + file, e);
      }
    }
  }
}
