package com.plugsky.crypto.tls.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A certificate and key read from disk and read again when the files change (checked every {@code
 * interval} by one virtual thread), for rotation by cert-manager, ACME clients or an operator:
 * handshakes after the change present the new certificate, connections already open keep theirs.
 * A half-written or mismatched pair is not taken: the current one stays, and {@code onFailure}
 * hears why; the next change is tried again.
 */
public final class ReloadingCredentials implements TlsCredentials, AutoCloseable {
  private final Supplier<CertifiedKey> loader;
  private final List<Path> watched;
  private final Consumer<RuntimeException> onFailure;
  private final IdentityKeyManager keyManager;
  private final AtomicLong reloads = new AtomicLong();
  private final Thread watcher;
  private volatile List<FileTime> lastSeen;

  private ReloadingCredentials(
      Supplier<CertifiedKey> loader,
      List<Path> watched,
      Duration interval,
      Consumer<RuntimeException> onFailure) {
    this.loader = loader;
    this.watched = watched;
    this.onFailure = onFailure;
    this.lastSeen = modificationTimes();
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
   * @throws RuntimeException the typed reason when they cannot be read or do not match; the
   *     current identity stays
   */
  public void reload() {
    List<FileTime> seen = modificationTimes();
    CertifiedKey next = loader.get();
    keyManager.replace(next.chain(), next.privateKey());
    lastSeen = seen;
    reloads.incrementAndGet();
  }

  @Override
  public void close() {
    watcher.interrupt();
  }

  private void reloadIfChanged() {
    List<FileTime> seen = modificationTimes();
    if (seen.equals(lastSeen)) {
      return;
    }
    try {
      reload();
    } catch (RuntimeException e) {
      lastSeen = seen;
      onFailure.accept(e);
    }
  }

  private List<FileTime> modificationTimes() {
    return watched.stream()
        .map(
            path -> {
              try {
                return Files.getLastModifiedTime(path);
              } catch (IOException e) {
                return FileTime.fromMillis(-1);
              }
            })
        .toList();
  }
}
