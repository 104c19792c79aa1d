package com.plugsky.crypto.conformance;

import java.util.List;

/**
 * The runnable cases of one vector file.
 *
 * @param file the file's path under {@code vectors/}
 * @param declared how many cases the file itself declares (Wycheproof {@code numberOfTests}; CAVP:
 *     its {@code Count =} lines, counted apart from the parser)
 * @param cases what the parser produced, one per vector
 * @param mustRun how many cases must run rather than be skipped on every engine (0: any number),
 *     for suites that take only part of a file
 */
record VectorSuite(String file, int declared, List<VectorCase> cases, int mustRun) {
  VectorSuite {
    cases = List.copyOf(cases);
  }

  VectorSuite(String file, int declared, List<VectorCase> cases) {
    this(file, declared, cases, 0);
  }

  /** This suite, required to run at least {@code count} of its cases on every engine. */
  VectorSuite mustRun(int count) {
    return new VectorSuite(file, declared, cases, count);
  }
}
