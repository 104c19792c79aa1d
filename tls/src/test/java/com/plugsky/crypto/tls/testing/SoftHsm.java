package com.plugsky.crypto.tls.testing;

import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.PinSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * SoftHSM2 for the integration tests, as in the pkcs11 module: a private configuration and token
 * directory at {@code $SOFTHSM2_CONF} (failsafe points it under {@code target/}), made before
 * anything in the JVM initialises the module, with one token for server keys.
 */
public final class SoftHsm {
  public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  public static final String TOKEN = "plugsky-tls";
  private static final String USER_PIN = "user-pin-2718";
  private static final String SO_PIN = "so-pin-3141";
  private static SoftHsm instance;

  private SoftHsm() {
    if (!Files.isReadable(MODULE)) {
      throw new IllegalStateException("SoftHSM2 is not installed (" + MODULE + " missing): apt-get install softhsm2");
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null) {
      throw new IllegalStateException(
          "SOFTHSM2_CONF is not set: run the integration tests through Maven (verify), whose failsafe"
              + " configuration points it under target/");
    }
    Path confFile = Path.of(conf).toAbsolutePath();
    Path home = confFile.getParent();
    Path tokens = home.resolve("tokens");
    try {
      deleteRecursively(home);
      Files.createDirectories(tokens);
      Files.writeString(
          confFile,
          "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
          StandardCharsets.UTF_8);
      run(List.of("/usr/bin/softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN, "--pin", USER_PIN), confFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up SoftHSM2 under " + home, e);
    }
  }

  public static synchronized SoftHsm get() {
    if (instance == null) {
      instance = new SoftHsm();
    }
    return instance;
  }

  public HsmConfig config() {
    return HsmConfig.builder(MODULE).tokenLabel(TOKEN).pinSource(PinSource.of(USER_PIN.toCharArray())).build();
  }

  private static void run(List<String> command, Path confFile) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SOFTHSM2_CONF", confFile.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("softhsm2-util failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running softhsm2-util", e);
    }
  }

  private static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
