package com.plugsky.crypto.pkcs11.check;

import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.ffm.PublicSession;
import com.plugsky.crypto.pkcs11.ffm.PublicSession.Attempt;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The logged-out check's second application. PKCS#11 keeps the login state per application, so a
 * session that is not logged in exists only in a process that never logged in: {@link #run} starts
 * this class's {@link #main} in a new JVM on the same class path, which opens such a session and
 * tries to use the keys the check made, printing one line per key: {@code secret|private
 * NOT_VISIBLE|REFUSED|ALLOWED detail}.
 */
final class LoggedOutProbe {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  /** The probe's exit code when the token failed it; the launcher itself exits with 1. */
  private static final int TOKEN_FAILED = 3;

  private static final int USAGE = 2;

  /** The second JVM could not run the probe: the check cannot tell anything about the token. */
  static final class NotStarted extends Exception {
    NotStarted(String message) {
      super(message);
    }
  }

  private LoggedOutProbe() {}

  /** The attempts of a new process on {@code config}'s token, one per line as printed. */
  static List<String> run(HsmConfig config, HsmKey secretKey, HsmKey privateKey)
      throws IOException, InterruptedException, NotStarted {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LoggedOutProbe.class.getName());
    command.add(config.modulePath().toString());
    command.add(
        config
            .tokenLabel()
            .map(label -> "label:" + label)
            .orElseGet(() -> "slot:" + config.slotId().orElseThrow()));
    command.add(secretKey.label().orElseThrow());
    command.add(privateKey == null ? "-" : privateKey.label().orElseThrow());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getOutputStream().close();
    if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("the logged-out process did not finish within " + TIMEOUT);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.exitValue() == TOKEN_FAILED) {
      throw new IOException("the logged-out process failed: " + output.strip());
    }
    if (process.exitValue() != 0) {
      throw new NotStarted(
          "could not run a second JVM on this class path (exit "
              + process.exitValue()
              + "): "
              + output.strip());
    }
    return output.lines().filter(line -> !line.isBlank()).toList();
  }

  /**
   * Arguments: module path, {@code label:L} or {@code slot:N}, secret key label, private key label
   * or {@code -}.
   */
  static void main(String[] args) {
    if (args.length != 4) {
      System.out.println("usage: module label:L|slot:N secret-label private-label|-");
      System.exit(USAGE);
    }
    HsmConfig.Builder builder = HsmConfig.builder(Path.of(args[0]));
    if (args[1].startsWith("label:")) {
      builder.tokenLabel(args[1].substring("label:".length()));
    } else {
      builder.slotId(Long.parseLong(args[1].substring("slot:".length())));
    }
    HsmConfig config = builder.build();
    try {
      print("secret", PublicSession.encryptWith(config, HsmKey.label(args[2])));
      if (!args[3].equals("-")) {
        print("private", PublicSession.signWith(config, HsmKey.label(args[3])));
      }
    } catch (CryptoException e) {
      System.out.println(e.getClass().getSimpleName() + ": " + e.getMessage());
      System.exit(TOKEN_FAILED);
    }
    System.exit(0);
  }

  private static void print(String what, Attempt attempt) {
    System.out.println(what + " " + attempt.access() + " " + attempt.detail());
  }
}
