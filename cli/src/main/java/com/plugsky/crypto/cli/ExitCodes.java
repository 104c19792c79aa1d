package com.plugsky.crypto.cli;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.KeyUnavailableException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/** The command's exit codes, the same for every command. */
public final class ExitCodes {
  public static final int OK = 0;

  /**
   * The operation failed: a message that does not authenticate or is damaged, a key that does not
   * open it, a benchmark regression, an I/O error while writing.
   */
  public static final int FAILURE = 1;

  /**
   * A mistake on the command line: an unknown option, a malformed KeyRef or {@code --context} pair,
   * a pair or KeyRef given twice, a missing input file.
   */
  public static final int USAGE = 2;

  /** A backend or engine that is required but unavailable: no key wrapper, HSM or KMS unreachable. */
  public static final int UNAVAILABLE = 3;

  static final String FOOTER =
      "Exit codes: 0 ok, 1 crypto failure (or regression), 2 usage, 3 unavailable backend.";

  private ExitCodes() {}

  /** The exit code for a failure that reached the top. */
  public static int of(Throwable failure) {
    return switch (failure) {
      case UserError e -> USAGE;
      case CommandLine.ParameterException e -> USAGE;
      case KeyUnavailableException e -> UNAVAILABLE;
      case ConfigurationException e -> UNAVAILABLE;
      case AuthenticationFailedException e -> FAILURE;
      case CryptoException e -> FAILURE;
      case NoSuchFileException e -> USAGE;
      case AccessDeniedException e -> USAGE;
      case FileAlreadyExistsException e -> USAGE;
      default -> FAILURE;
    };
  }
}
