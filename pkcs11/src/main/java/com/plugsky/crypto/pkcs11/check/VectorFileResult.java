package com.plugsky.crypto.pkcs11.check;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How the HSM fared on one test vector file: how many tests the file declares and how many were
 * read, run through the HSM and skipped (outside what the library's operations cover), and each
 * failed test by its id.
 *
 * @param file the file's name, e.g. {@code aes_gcm_test.json}
 * @param declared the number of tests the file says it holds ({@code numberOfTests})
 * @param read the number of tests found in it
 * @param run the tests run through the HSM
 * @param skipped the tests not run, because the library's operations do not cover them
 * @param failures each run test whose outcome was wrong, in file order
 */
public record VectorFileResult(
    String file, int declared, int read, int run, int skipped, List<Failure> failures) {

  public VectorFileResult {
    Objects.requireNonNull(file, "file");
    failures = List.copyOf(failures);
  }

  /**
   * One test the HSM got wrong.
   *
   * @param tcId the test's id in the file
   * @param expected the file's verdict: {@code valid}, {@code invalid} or {@code acceptable}
   * @param reason what the HSM did instead
   */
  public record Failure(int tcId, String expected, String reason) {
    public Failure {
      Objects.requireNonNull(expected, "expected");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Whether every declared test was read, at least one ran, and none failed. */
  public boolean passed() {
    return read == declared && run > 0 && failures.isEmpty();
  }

  /** One line: the counts, and why the file did not pass. */
  public String summary() {
    StringBuilder out =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%s: %d run, %d skipped, %d failed (%d of %d declared tests read)",
                file,
                run,
                skipped,
                failures.size(),
                read,
                declared));
    if (read != declared) {
      out.append("; the file holds ")
          .append(read)
          .append(" of the ")
          .append(declared)
          .append(" tests it declares");
    }
    if (run == 0) {
      out.append("; no test ran");
    }
    return out.toString();
  }
}
