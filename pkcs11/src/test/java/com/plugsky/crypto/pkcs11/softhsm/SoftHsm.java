package com.plugsky.crypto.pkcs11.softhsm;

import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.PinSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * SoftHSM2 for integration tests: finds the installed module and {@code softhsm2-util} (it installs
 * nothing; CI's {@code .ci/run} does), and creates a private configuration and token directory for
 * this test run at {@code $SOFTHSM2_CONF} (failsafe points it under {@code target/}), with the
 * tokens below, before anything in the JVM initialises the module: SoftHSM2 reads its token
 * directory once, at C_Initialize.
 */
public final class SoftHsm {
  public static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  public static final String USER_PIN = "user-pin-4711";
  private static final String SO_PIN = "so-pin-0815";

  /** Shared by tests that only create keys with unique labels. */
  public static final String TOKEN = "plugsky-a";

  /** Used only by the key wrapper tests. */
  public static final String WRAPPER_TOKEN = "plugsky-wrap";

  /** Logged into by nothing but the login tests, so that their first login is really the first. */
  public static final String LOGIN_TOKEN = "plugsky-login";

  /** For wrong-PIN tests: once any session logs in, SoftHSM2 no longer checks a PIN. */
  public static final String PIN_TOKEN = "plugsky-pin";

  /** For session-recovery tests, whose forced logouts must not disturb other tests. */
  public static final String RECOVERY_TOKEN = "plugsky-recovery";

  /**
   * For the SunPKCS11 session-recovery test: its provider keeps sessions and the login for the
   * JVM's life, which would hide the other backends' forced logouts on {@link #RECOVERY_TOKEN}.
   */
  public static final String SUN_RECOVERY_TOKEN = "plugsky-recovery-sun";

  /** For session-count tests: nothing else opens sessions on it. */
  public static final String SESSIONS_TOKEN = "plugsky-sessions";

  /** For HsmPool tests: two members that stay up, and two whose directories tests remove. */
  public static final String POOL_A = "plugsky-pool-a";

  public static final String POOL_B = "plugsky-pool-b";
  public static final String POOL_DOOMED = "plugsky-pool-doomed";

  /** For the HsmPool test whose member loses its token directory while calls are in flight. */
  public static final String POOL_FAILING = "plugsky-pool-failing";

  /** For the concurrent key generation test: keys it leaves after a failure stay out of others. */
  public static final String CONCURRENCY_TOKEN = "plugsky-concurrency";

  private static final List<String> TOKENS =
      List.of(
          TOKEN,
          WRAPPER_TOKEN,
          LOGIN_TOKEN,
          PIN_TOKEN,
          RECOVERY_TOKEN,
          SUN_RECOVERY_TOKEN,
          SESSIONS_TOKEN,
          POOL_A,
          POOL_B,
          POOL_DOOMED,
          POOL_FAILING,
          CONCURRENCY_TOKEN);
  private static SoftHsm instance;

  private final Path pinFile;

  private SoftHsm() {
    if (!Files.isReadable(MODULE)) {
      throw new IllegalStateException(
          "SoftHSM2 is not installed (" + MODULE + " missing): apt-get install softhsm2");
    }
    Path util = Path.of("/usr/bin/softhsm2-util");
    if (!Files.isExecutable(util)) {
      throw new IllegalStateException("softhsm2-util is not installed: apt-get install softhsm2");
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null) {
      throw new IllegalStateException(
          "SOFTHSM2_CONF is not set: run the integration tests through Maven (verify), whose"
              + " failsafe configuration points it under target/");
    }
    Path confFile = Path.of(conf).toAbsolutePath();
    Path home = confFile.getParent();
    Path tokens = home.resolve("tokens");
    try {
      deleteRecursively(home);
      Files.createDirectories(tokens);
      Files.writeString(
          confFile,
          "directories.tokendir = "
              + tokens
              + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
          StandardCharsets.UTF_8);
      for (String label : TOKENS) {
        run(
            List.of(
                util.toString(),
                "--init-token",
                "--free",
                "--label",
                label,
                "--so-pin",
                SO_PIN,
                "--pin",
                USER_PIN),
            confFile);
      }
      pinFile = home.resolve("user.pin");
      Files.writeString(pinFile, USER_PIN + "\n", StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(pinFile, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up SoftHSM2 under " + home, e);
    }
  }

  /**
   * Deletes the directory SoftHSM2 keeps {@code label}'s token in, as a disk or HSM failure would:
   * the module then finds none of its objects.
   */
  public void removeTokenDirectory(String label) throws IOException {
    byte[] wanted = label.getBytes(StandardCharsets.UTF_8);
    Path tokens =
        Path.of(System.getenv("SOFTHSM2_CONF")).toAbsolutePath().getParent().resolve("tokens");
    try (var directories = Files.list(tokens)) {
      for (Path directory : directories.toList()) {
        byte[] tokenObject = Files.readAllBytes(directory.resolve("token.object"));
        if (indexOf(tokenObject, wanted) >= 0) {
          deleteRecursively(directory);
          return;
        }
      }
    }
    throw new IllegalStateException("no token directory holds the label " + label);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The fixture, set up on first use in this JVM. */
  public static synchronized SoftHsm get() {
    if (instance == null) {
      instance = new SoftHsm();
    }
    return instance;
  }

  /** A configuration for {@code token} with the user PIN. */
  public HsmConfig.Builder config(String token) {
    return HsmConfig.builder(MODULE)
        .tokenLabel(token)
        .pinSource(PinSource.of(USER_PIN.toCharArray()));
  }

  /** A file holding the user PIN, for {@code pin-source=file:...}. */
  public Path pinFile() {
    return pinFile;
  }

  private static void run(List<String> command, Path confFile) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SOFTHSM2_CONF", confFile.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("softhsm2-util did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running softhsm2-util", e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "softhsm2-util "
              + command.get(1)
              + " failed ("
              + process.exitValue()
              + "): "
              + output.strip());
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
