package com.plugsky.crypto.tls.keys;

import com.plugsky.crypto.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A certificate and key read from disk and read again when the files change (checked every {@code
 * interval} by one virtual thread), for rotation by cert-manager, ACME clients or an operator:
 * handshakes after the change present the new certificate, connections already open keep theirs. A
 * half-written or mismatched pair, or one whose leaf has expired, is not taken: the current one
 * stays, and {@code onFailure} hears why; the next change is tried again.
 *
 * <p>A change is a change of content (a SHA-256 over the files), not of modification time: a write
 * that finishes within the file system's timestamp tick after a failed read of its first half
 * leaves the time as it was, and must still be read.
 */
public final class ReloadingCredentials implements TlsCredentials, AutoCloseable {
  private final Supplier<CertifiedKey> loader;
  private final List<Path> watched;
  private final Consumer<RuntimeException> onFailure;
  private final IdentityKeyManager keyManager;
  private final AtomicLong reloads = new AtomicLong();
  private final Thread watcher;
  private volatile byte[] lastSeen;

  private ReloadingCredentials(
      Supplier<CertifiedKey> loader,
      List<Path> watched,
      Duration interval,
      Consumer<RuntimeException> onFailure) {
    this.loader = loader;
    this.watched = watched;
    this.onFailure = onFailure;
    this.lastSeen = fingerprint();
    CertifiedKey first = loader.get();
    this.keyManager = new IdentityKeyManager(first.chain(), first.privateKey());
    this.watcher =
        Thread.ofVirtual()
            .name("plugsky-tls-reload")
            .start(
                () -> {
                  try {
                    while (!Thread.currentThread().isInterrupted()) {
                      Thread.sleep(interval);
                      reloadIfChanged();
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                });
  }

  /** Watches a PEM chain and a PKCS#8 PEM key. */
  public static ReloadingCredentials watchPem(
      Path chainFile, Path keyFile, Duration interval, Consumer<RuntimeException> onFailure) {
    return new ReloadingCredentials(
        () -> CertifiedKey.fromPem(chainFile, keyFile),
        List.of(chainFile, keyFile),
        interval,
        Objects.requireNonNull(onFailure, "onFailure"));
  }

  /** Watches a PKCS#12 file; the password is kept for re-reading it. */
  public static ReloadingCredentials watchPkcs12(
      Path file, char[] password, Duration interval, Consumer<RuntimeException> onFailure) {
    char[] kept = password.clone();
    return new ReloadingCredentials(
        () -> CertifiedKey.fromPkcs12(file, kept),
        List.of(file),
        interval,
        Objects.requireNonNull(onFailure, "onFailure"));
  }

  @Override
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** How many times new files were taken since creation. */
  public long reloads() {
    return reloads.get();
  }

  /**
   * Reads the files now, whether or not they changed.
   *
   * @throws RuntimeException the typed reason when they cannot be read or do not match; the current
   *     identity stays
   */
  public void reload() {
    reload(fingerprint());
  }

  @Override
  public void close() {
    watcher.interrupt();
  }

  /**
   * {@code seen} is taken before the files are read, so a write that lands after it is seen as a
   * change on the next check even when this read already caught part of it.
   */
  private void reload(byte[] seen) {
    try {
      CertifiedKey next = loader.get();
      refuseExpired(next.chain().getFirst());
      keyManager.replace(next.chain(), next.privateKey());
      reloads.incrementAndGet();
    } finally {
      // A failed content is not retried until it changes again; onFailure hears of it once.
      lastSeen = seen;
    }
  }

  /**
   * An expired leaf would fail every new handshake; the one served now is kept instead (a leaf not
   * yet valid is taken: issuers backdate, and a clock a little behind should not block a renewal).
   */
  private void refuseExpired(X509Certificate leaf) {
    Instant notAfter = leaf.getNotAfter().toInstant();
    if (notAfter.isBefore(Instant.now())) {
      throw new InvalidInputException(
          "the new leaf certificate "
              + leaf.getSubjectX500Principal().getName()
              + " expired at "
              + notAfter
              + "; the current one ("
              + keyManager.leaf().getSubjectX500Principal().getName()
              + ", valid until "
              + keyManager.leaf().getNotAfter().toInstant()
              + ") stays");
    }
  }

  private void reloadIfChanged() {
    byte[] seen = fingerprint();
    if (Arrays.equals(seen, lastSeen)) {
      return;
    }
    try {
      reload(seen);
    } catch (RuntimeException e) {
      onFailure.accept(e);
    }
  }

  /**
   * SHA-256 over each watched file's length and content; a missing or unreadable file counts as -1.
   */
  private byte[] fingerprint() {
    MessageDigest digest = sha256();
    for (Path path : watched) {
      byte[] content;
      try {
        content = Files.readAllBytes(path);
      } catch (IOException e) {
        content = null;
      }
      digest.update(
          ByteBuffer.allocate(Long.BYTES).putLong(content == null ? -1 : content.length).array());
      if (content != null) {
        digest.update(content);
      }
    }
    return digest.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
