package com.plugsky.crypto.tls.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test certificates made with Bouncy Castle: a CA, and leaves for servers and clients. */
public final class TestPki {
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

  /** A key type for generated leaves. */
  public enum KeyType {
    EC_P256,
    RSA_2048
  }

  /** A key and its chain (leaf first). */
  public record Issued(PrivateKey key, List<X509Certificate> chain) {
    public X509Certificate leaf() {
      return chain.getFirst();
    }

    /** Writes {@code name}.crt (chain) and {@code name}.key (PKCS#8) into {@code dir}. */
    public PemFiles writePem(Path dir, String name) {
      Path crt = dir.resolve(name + ".crt");
      Path key = dir.resolve(name + ".key");
      write(crt, pem(chain.toArray()));
      write(key, pkcs8Pem(this.key));
      return new PemFiles(crt, key);
    }

    /** Writes a PKCS#12 file with this key entry. */
    public Path writePkcs12(Path file, char[] password) {
      try (OutputStream out = Files.newOutputStream(file)) {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("identity", key, password, chain.toArray(X509Certificate[]::new));
        store.store(out, password);
        return file;
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A certificate file and a key file. */
  public record PemFiles(Path certificate, Path key) {}

  private final String name;
  private final KeyPair caKeys;
  private final X509Certificate caCertificate;

  private TestPki(String name) {
    this.name = name;
    this.caKeys = generate(KeyType.EC_P256);
    this.caCertificate = build(new X500Name("CN=" + name), caKeys.getPublic(), null, true, List.of(), null);
  }

  public static TestPki create(String name) {
    return new TestPki(name);
  }

  public X509Certificate caCertificate() {
    return caCertificate;
  }

  /** Writes the CA certificate as PEM. */
  public Path writeCaPem(Path file) {
    write(file, pem(new Object[] {caCertificate}));
    return file;
  }

  /** Writes a PKCS#12 trust store holding the CA certificate as a trusted entry. */
  public Path writeCaPkcs12(Path file, char[] password) {
    try (OutputStream out = Files.newOutputStream(file)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", caCertificate);
      store.store(out, password);
      return file;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A DER OCSP response, signed by the CA, saying {@code leaf} is good. */
  public byte[] ocspGood(X509Certificate leaf) {
    try {
      var digests = new org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder().build();
      var id =
          new org.bouncycastle.cert.ocsp.CertificateID(
              digests.get(org.bouncycastle.cert.ocsp.CertificateID.HASH_SHA1),
              new org.bouncycastle.cert.jcajce.JcaX509CertificateHolder(caCertificate),
              leaf.getSerialNumber());
      var builder =
          new org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder(
              new org.bouncycastle.cert.ocsp.RespID(new X500Name("CN=" + name)));
      Date now = new Date();
      builder.addResponse(id, org.bouncycastle.cert.ocsp.CertificateStatus.GOOD, now, new Date(now.getTime() + 86_400_000L));
      var basic =
          builder.build(
              new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()),
              new org.bouncycastle.cert.X509CertificateHolder[] {
                new org.bouncycastle.cert.jcajce.JcaX509CertificateHolder(caCertificate)
              },
              now);
      return new org.bouncycastle.cert.ocsp.OCSPRespBuilder()
          .build(org.bouncycastle.cert.ocsp.OCSPRespBuilder.SUCCESSFUL, basic)
          .getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test OCSP response", e);
    }
  }

  /** A server leaf for localhost and 127.0.0.1. */
  public Issued server(KeyType type) {
    return server(type, "localhost", null);
  }

  /** A server leaf; {@code ocspUrl} adds an authority-information-access OCSP responder. */
  public Issued server(KeyType type, String commonName, String ocspUrl) {
    KeyPair keys = generate(type);
    return new Issued(keys.getPrivate(), List.of(serverCertificate(keys.getPublic(), commonName, ocspUrl), caCertificate));
  }

  /** A server leaf whose validity ended a day ago. */
  public Issued expiredServer(KeyType type, String commonName) {
    KeyPair keys = generate(type);
    Instant now = Instant.now();
    X509Certificate leaf =
        build(
            new X500Name("CN=" + commonName),
            keys.getPublic(),
            KeyPurposeId.id_kp_serverAuth,
            false,
            List.of(new GeneralName(GeneralName.dNSName, "localhost")),
            null,
            now.minus(Duration.ofDays(31)),
            now.minus(Duration.ofDays(1)));
    return new Issued(keys.getPrivate(), List.of(leaf, caCertificate));
  }

  /** A server certificate for a public key held elsewhere (an HSM). */
  public List<X509Certificate> serverChainFor(PublicKey publicKey) {
    return List.of(serverCertificate(publicKey, "localhost", null), caCertificate);
  }

  /** A client leaf with a URI SAN such as {@code spiffe://example.org/orders}. */
  public Issued client(String commonName, String uriSan) {
    KeyPair keys = generate(KeyType.EC_P256);
    List<GeneralName> names = uriSan == null ? List.of() : List.of(new GeneralName(GeneralName.uniformResourceIdentifier, uriSan));
    X509Certificate leaf = build(new X500Name("CN=" + commonName), keys.getPublic(), KeyPurposeId.id_kp_clientAuth, false, names, null);
    return new Issued(keys.getPrivate(), List.of(leaf, caCertificate));
  }

  private X509Certificate serverCertificate(PublicKey publicKey, String commonName, String ocspUrl) {
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.dNSName, "localhost"));
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    return build(new X500Name("CN=" + commonName), publicKey, KeyPurposeId.id_kp_serverAuth, false, names, ocspUrl);
  }

  private X509Certificate build(
      X500Name subject, PublicKey publicKey, KeyPurposeId purpose, boolean ca, List<GeneralName> sans, String ocspUrl) {
    Instant now = Instant.now();
    return build(subject, publicKey, purpose, ca, sans, ocspUrl, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(30)));
  }

  private X509Certificate build(
      X500Name subject,
      PublicKey publicKey,
      KeyPurposeId purpose,
      boolean ca,
      List<GeneralName> sans,
      String ocspUrl,
      Instant notBefore,
      Instant notAfter) {
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              ca ? subject : new X500Name("CN=" + name),
              BigInteger.valueOf(SERIALS.incrementAndGet()),
              Date.from(notBefore),
              Date.from(notAfter),
              subject,
              publicKey);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      if (ca) {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      }
      if (!sans.isEmpty()) {
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      if (ocspUrl != null) {
        builder.addExtension(
            Extension.authorityInfoAccess,
            false,
            new AuthorityInformationAccess(
                new AccessDescription(AccessDescription.id_ad_ocsp, new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl))));
      }
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue a test certificate", e);
    }
  }

  public static KeyPair generate(KeyType type) {
    try {
      if (type == KeyType.EC_P256) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
      }
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(Object... objects) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      for (Object object : objects) {
        writer.writeObject(object);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** An unencrypted PKCS#8 PEM block. */
  public static String pkcs8Pem(PrivateKey key) {
    return "-----BEGIN PRIVATE KEY-----\n"
        + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
