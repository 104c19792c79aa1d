package com.plugsky.crypto.tls.keys;

import com.plugsky.crypto.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads certificates and unencrypted PKCS#8 private keys from PEM files. */
final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private Pem() {}

  static List<X509Certificate> certificates(Path file) {
    byte[] pem = read(file);
    try {
      List<X509Certificate> certificates =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem))
              .stream()
              .map(X509Certificate.class::cast)
              .toList();
      if (certificates.isEmpty()) {
        throw new InvalidInputException("no certificate in " + file);
      }
      return certificates;
    } catch (CertificateException e) {
      throw new InvalidInputException("cannot read certificates from " + file, e);
    }
  }

  /** The key in {@code file}, of the algorithm of {@code publicKeyAlgorithm} (EC, RSA, Ed25519). */
  static PrivateKey privateKey(Path file, String publicKeyAlgorithm) {
    byte[] pem = read(file);
    Matcher block = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
    Arrays.fill(pem, (byte) 0);
    if (!block.find()) {
      throw new InvalidInputException("no PEM block in " + file);
    }
    String type = block.group(1);
    if (!type.equals("PRIVATE KEY")) {
      throw new InvalidInputException(
          file
              + " holds a '"
              + type
              + "' block; expected an unencrypted PKCS#8 'PRIVATE KEY' (convert with: openssl"
              + " pkcs8 -topk8 -nocrypt)");
    }
    byte[] der = Base64.getMimeDecoder().decode(block.group(2));
    try {
      return KeyFactory.getInstance(publicKeyAlgorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new InvalidInputException(
          "the key in " + file + " is not a PKCS#8 private key for the certificate's "
              + publicKeyAlgorithm + " key",
          e);
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
