package com.plugsky.crypto.cli.process;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.PinSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A SoftHSM2 token for the end-to-end tests, in a private configuration at {@code $SOFTHSM2_CONF}
 * (failsafe points it under target/), which the command inherits. Created once per test JVM,
 * before anything initialises the module, since SoftHSM2 reads its token directory at
 * C_Initialize.
 */
final class SoftHsmToken {
  static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  static final String LABEL = "plugsky-cli";
  private static final String USER_PIN = "cli-user-1234";
  private static final String SO_PIN = "cli-so-5678";
  private static SoftHsmToken instance;

  private final Path pinFile;

  private SoftHsmToken() throws IOException, InterruptedException {
    Path util = Path.of("/usr/bin/softhsm2-util");
    if (!Files.isReadable(MODULE) || !Files.isExecutable(util)) {
      throw new IllegalStateException("SoftHSM2 is not installed: apt-get install softhsm2");
    }
    String conf = System.getenv("SOFTHSM2_CONF");
    if (conf == null) {
      throw new IllegalStateException("SOFTHSM2_CONF is not set: run the end-to-end tests through Maven (verify)");
    }
    Path confFile = Path.of(conf).toAbsolutePath();
    Path home = confFile.getParent();
    Path tokens = home.resolve("tokens");
    deleteRecursively(home);
    Files.createDirectories(tokens);
    Files.writeString(
        confFile,
        "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
        StandardCharsets.UTF_8);
    ProcessBuilder init =
        new ProcessBuilder(
                util.toString(), "--init-token", "--free", "--label", LABEL, "--so-pin", SO_PIN, "--pin", USER_PIN)
            .redirectErrorStream(true);
    init.environment().put("SOFTHSM2_CONF", confFile.toString());
    Process process = init.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("softhsm2-util --init-token failed: " + output.strip());
    }
    pinFile = home.resolve("user.pin");
    Files.writeString(pinFile, USER_PIN + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(pinFile, PosixFilePermissions.fromString("rw-------"));
  }

  static synchronized SoftHsmToken get() throws IOException, InterruptedException {
    if (instance == null) {
      instance = new SoftHsmToken();
    }
    return instance;
  }

  /** Creates an AES-256 key-encryption key labelled {@code label} in the token. */
  void createKek(String label) {
    HsmConfig config =
        HsmConfig.builder(MODULE).tokenLabel(LABEL).pinSource(PinSource.of(USER_PIN.toCharArray())).build();
    try (Hsm hsm = Hsm.open(config)) {
      hsm.generateAesKey(HsmKey.label(label));
    }
  }

  /** The KeyRef of {@code label}, its PIN read from a file. */
  String keyRef(String label) {
    return "pkcs11:token=" + LABEL + ";object=" + label + ";type=secret-key?module-path=" + MODULE
        + "&pin-source=file:" + pinFile;
  }

  /** The KeyRef of {@code label} without a PIN source, for $PLUGSKY_PKCS11_PIN. */
  String keyRefWithoutPin(String label) {
    return "pkcs11:token=" + LABEL + ";object=" + label + ";type=secret-key?module-path=" + MODULE;
  }

  String userPin() {
    return USER_PIN;
  }

  /** The file holding the user PIN (0600), for {@code pin-source=file:} and {@code --pin-source}. */
  Path pinFile() {
    return pinFile;
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
