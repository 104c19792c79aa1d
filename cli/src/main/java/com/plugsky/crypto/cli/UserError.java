package com.plugsky.crypto.cli;

/**
 * A mistake the user can fix found after parsing (an input file that does not exist, an output
 * that would be overwritten, a secret on the command line): one line, exit code 2.
 */
public final class UserError extends RuntimeException {
  public UserError(String message) {
    super(message);
  }
}
