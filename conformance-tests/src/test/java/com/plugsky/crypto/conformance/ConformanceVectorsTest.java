package com.plugsky.crypto.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Every Wycheproof and NIST CAVP vector file against every engine {@link Engines#available()}
 * reports (engines join through {@link java.util.ServiceLoader}; nothing here names them).
 *
 * <p>Per file: one test that the parser found at least the declared number of cases, then one test
 * per engine that runs all of them, collects every failure and fails with the full list. After the
 * run the summary table is printed and written to {@code target/} (see {@link ConformanceSummary}).
 */
class ConformanceVectorsTest {
  private static final int FAILURES_IN_MESSAGE = 40;
  private static final List<Tally> TALLIES = new CopyOnWriteArrayList<>();

  /**
   * How many cases each (mode, file, engine) run skips, from {@code expected-skips.tsv}: a run that
   * skips more, or fewer, fails, so a change cannot quietly turn cases that ran into skips.
   */
  private static final Map<String, Integer> EXPECTED_SKIPS = expectedSkips();

  @TestFactory
  Stream<DynamicNode> vectorFilesOnEveryEngine() {
    List<AeadEngine> engines = Engines.available();
    return VectorFiles.ALL.stream()
        .map(
            file -> {
              VectorSuite suite = file.suite();
              DynamicNode parsed =
                  dynamicTest(
                      "parser yields the " + suite.declared() + " declared cases",
                      () ->
                          assertThat(suite.cases())
                              .as(suite.file())
                              .hasSizeGreaterThanOrEqualTo(suite.declared()));
              Stream<DynamicNode> runs =
                  engines.stream()
                      .map(engine -> dynamicTest(engine.name(), () -> run(suite, engine)));
              return dynamicContainer(suite.file(), Stream.concat(Stream.of(parsed), runs));
            });
  }

  private static Map<String, Integer> expectedSkips() {
    Map<String, Integer> expected = new HashMap<>();
    String text =
        new String(VectorFiles.readResource("/expected-skips.tsv"), StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] fields = line.split("\t");
      expected.put(fields[0] + "\t" + fields[1] + "\t" + fields[2], Integer.parseInt(fields[3]));
    }
    return expected;
  }

  @AfterAll
  static void writeSummary() throws IOException {
    ConformanceSummary.write(TALLIES);
  }

  private static void run(VectorSuite suite, AeadEngine engine) {
    Tally tally =
        new Tally(
            suite.file(), engine.name(), suite.declared(), suite.cases().size(), suite.mustRun());
    for (VectorCase c : suite.cases()) {
      Outcome outcome;
      try {
        outcome = c.check().apply(engine);
      } catch (RuntimeException e) {
        outcome = Outcome.fail("harness error: " + e);
      }
      tally.record(c.id(), outcome);
    }
    TALLIES.add(tally);
    List<String> problems = new ArrayList<>(tally.problems());
    int expectedSkips =
        EXPECTED_SKIPS.getOrDefault(
            ConformanceSummary.mode() + "\t" + suite.file() + "\t" + engine.name(), 0);
    if (tally.skipped() != expectedSkips) {
      problems.add(
          suite.file()
              + " | "
              + engine.name()
              + " | skipped "
              + tally.skipped()
              + " cases where expected-skips.tsv says "
              + expectedSkips
              + " ("
              + tally.skipReason()
              + "); update that file only after reading why the count moved");
    }
    if (!problems.isEmpty()) {
      String listed =
          problems.stream().limit(FAILURES_IN_MESSAGE).collect(Collectors.joining("\n  "));
      String more =
          problems.size() > FAILURES_IN_MESSAGE
              ? "\n  ... and "
                  + (problems.size() - FAILURES_IN_MESSAGE)
                  + " more in target/conformance-failures*.txt"
              : "";
      fail(
          problems.size()
              + " problem(s) for "
              + suite.file()
              + " on engine "
              + engine.name()
              + ":\n  "
              + listed
              + more);
    }
  }
}
