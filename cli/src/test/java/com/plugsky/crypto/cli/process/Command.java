package com.plugsky.crypto.cli.process;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged command (target/plugsky-crypto.jar with target/lib/ beside it) run as a process, as
 * the launcher runs it, with its own local key directory ($PLUGSKY_HOME).
 */
final class Command {
  private static final Path JAR = Path.of(requireProperty("plugsky.cli.jar"));
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  private final Path home;
  private final Path workDirectory;
  private final Map<String, String> environment = new HashMap<>();

  Command(Path home, Path workDirectory) {
    this.home = home;
    this.workDirectory = workDirectory;
  }

  /** What a finished run left: exit code, standard output bytes, standard error text. */
  record Result(int exit, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    List<String> errLines() {
      return stderr.lines().toList();
    }
  }

  Command env(String name, String value) {
    environment.put(name, value);
    return this;
  }

  Result run(String... args) {
    return run(new byte[0], args);
  }

  Result run(byte[] stdin, String... args) {
    try {
      Process process = start(args);
      Thread feeder =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (OutputStream in = process.getOutputStream()) {
                      in.write(stdin);
                    } catch (IOException e) {
                      // The command may exit before reading everything (a usage error).
                    }
                  });
      // Both pipes drained at once, so that neither can fill up and stall the command.
      byte[][] stderr = new byte[1][];
      Thread errReader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      stderr[0] = process.getErrorStream().readAllBytes();
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  });
      byte[] stdout = process.getInputStream().readAllBytes();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("plugsky-crypto did not finish within 5 minutes");
      }
      feeder.join();
      errReader.join();
      String err = new String(stderr[0], StandardCharsets.UTF_8);
      return new Result(process.exitValue(), stdout, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts the command without waiting. */
  Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(JAVA.toString());
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("--sun-misc-unsafe-memory-access=allow");
    // Other builds on this machine may be running JMH; the lock would refuse the second run.
    command.add("-Djmh.ignoreLock=true");
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDirectory.toFile());
    builder.environment().put("PLUGSKY_HOME", home.toString());
    builder.environment().remove("PLUGSKY_PKCS11_PIN");
    builder.environment().putAll(environment);
    return builder.start();
  }

  private static String requireProperty(String name) {
    String value = System.getProperty(name);
    if (value == null) {
      throw new IllegalStateException(name + " is not set: run the end-to-end tests through Maven (verify)");
    }
    return value;
  }
}
