package com.plugsky.crypto.cli;

import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.cli.terminal.Terminal;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** Turns every failure into one line on stderr (and, with --verbose, its stack trace). */
final class Failures {
  private Failures() {}

  static final class UsageHandler implements CommandLine.IParameterExceptionHandler {
    private final boolean verbose;

    UsageHandler(boolean verbose) {
      this.verbose = verbose;
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
      CommandLine command = e.getCommandLine();
      PrintWriter err = command.getErr();
      err.println(
          Terminal.errorPrefix(command.getCommandName())
              + e.getMessage()
              + " (try '"
              + command.getCommandSpec().qualifiedName()
              + " --help')");
      if (verbose) {
        e.printStackTrace(err);
      }
      return ExitCodes.USAGE;
    }
  }

  static final class ExecutionHandler implements CommandLine.IExecutionExceptionHandler {
    private final boolean verbose;

    ExecutionHandler(boolean verbose) {
      this.verbose = verbose;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
      Throwable failure = e instanceof UncheckedIOException u ? u.getCause() : e;
      PrintWriter err = command.getErr();
      err.println(Terminal.errorPrefix(command.getCommandName()) + describe(failure));
      if (verbose) {
        failure.printStackTrace(err);
      } else if (!(failure instanceof CryptoException
          || failure instanceof UserError
          || failure instanceof IOException)) {
        err.println("(an unexpected failure; --verbose shows where)");
      }
      err.flush();
      return ExitCodes.of(failure);
    }

    /** The library's messages are written for people; file-system errors need the path named. */
    static String describe(Throwable failure) {
      return switch (failure) {
        case NoSuchFileException e -> "no such file: " + e.getFile();
        case AccessDeniedException e -> "permission denied: " + e.getFile();
        case FileAlreadyExistsException e -> "already exists: " + e.getFile();
        case FileSystemException e ->
            e.getFile() + ": " + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason());
        case CryptoException e -> e.getMessage();
        case UserError e -> e.getMessage();
        default ->
            failure.getMessage() == null
                ? failure.getClass().getSimpleName()
                : failure.getClass().getSimpleName() + ": " + failure.getMessage();
      };
    }
  }
}
