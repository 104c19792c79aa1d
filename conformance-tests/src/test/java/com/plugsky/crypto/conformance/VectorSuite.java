package com.plugsky.crypto.conformance;

import java.util.List;

/**
 * The runnable cases of one vector file.
 *
 * @param file the file's path under {@code vectors/}
 * @param declared how many cases the file itself declares (Wycheproof {@code numberOfTests}; CAVP:
 *     its {@code Count =} lines, counted apart from the parser)
 * @param cases what the parser produced, one per vector
 */
record VectorSuite(String file, int declared, List<VectorCase> cases) {
  VectorSuite {
    cases = List.copyOf(cases);
  }
}
