package com.plugsky.crypto.tls.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command and returns its exit code and merged output. */
public final class Processes {
  private Processes() {}

  public record Result(int exitCode, String output) {}

  public static Result run(List<String> command) throws IOException, InterruptedException {
    return run(command, "");
  }

  /** Runs {@code command} with {@code input} on its stdin, then end of file. */
  public static Result run(List<String> command, String input) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      try (var stdin = process.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(command.getFirst() + " did not finish within 30 s");
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } finally {
      process.destroyForcibly();
    }
  }
}
