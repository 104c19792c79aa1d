package com.plugsky.crypto.cli.terminal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Help.Ansi;

/**
 * Whether standard output and error are terminals, which decides colour and progress bars: both
 * only on a terminal, never in a pipe, a file or a CI log, and never with {@code NO_COLOR} set or
 * {@code TERM=dumb}.
 */
public final class Terminal {
  private static final String RED = "\u001b[31m";
  private static final String RESET = "\u001b[0m";

  private Terminal() {}

  public static boolean isStdout() {
    return isTerminal(1);
  }

  public static boolean isStderr() {
    return isTerminal(2);
  }

  public static Ansi stdoutAnsi() {
    return colourAllowed() && isStdout() ? Ansi.ON : Ansi.OFF;
  }

  /** {@code "plugsky-crypto decrypt: "}, the word "error" in red on a terminal. */
  public static String errorPrefix(String command) {
    String name = command.equals("plugsky-crypto") ? command : "plugsky-crypto " + command;
    return colourAllowed() && isStderr()
        ? name + ": " + RED + "error" + RESET + ": "
        : name + ": error: ";
  }

  private static boolean colourAllowed() {
    return System.getenv("NO_COLOR") == null && !"dumb".equals(System.getenv("TERM"));
  }

  // The JDK tells only whether stdin and stdout together are a terminal (Console.isTerminal);
  // Linux names each descriptor's device under /proc.
  private static boolean isTerminal(int descriptor) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + descriptor)).toString();
      return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
