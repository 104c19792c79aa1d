package com.plugsky.crypto.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The counts for one vector file on one engine, and every failure with what differed. */
final class Tally {
  private final String file;
  private final String engine;
  private final int declared;
  private final int parsed;
  private final int mustRun;
  private int passed;
  private int failed;
  private int skipped;
  private final Map<String, Integer> skipReasons = new LinkedHashMap<>();
  private final Map<String, Integer> notes = new LinkedHashMap<>();
  private final List<String> failures = new ArrayList<>();

  Tally(String file, String engine, int declared, int parsed) {
    this(file, engine, declared, parsed, 0);
  }

  /** @param mustRun how many cases must run rather than be skipped (0: any number) */
  Tally(String file, String engine, int declared, int parsed, int mustRun) {
    this.file = file;
    this.engine = engine;
    this.declared = declared;
    this.parsed = parsed;
    this.mustRun = mustRun;
  }

  void record(String caseId, Outcome outcome) {
    switch (outcome) {
      case Outcome.Pass p -> passed++;
      case Outcome.Fail f -> {
        failed++;
        failures.add(file + " | " + engine + " | " + caseId + " | " + f.detail());
      }
      case Outcome.Skip s -> {
        skipped++;
        skipReasons.merge(s.reason(), 1, Integer::sum);
      }
    }
    outcome.note().ifPresent(note -> notes.merge(note, 1, Integer::sum));
  }

  /**
   * Everything wrong with this file on this engine: each failed case, plus a shortfall when the
   * parser produced fewer cases than the file declares or fewer cases ran or were skipped.
   */
  List<String> problems() {
    List<String> problems = new ArrayList<>(failures);
    if (parsed < declared) {
      problems.add(file + " | " + engine + " | parser produced " + parsed + " cases, the file declares " + declared);
    }
    if (ran() < mustRun) {
      problems.add(file + " | " + engine + " | only " + ran() + " ran, the suite must run " + mustRun);
    }
    if (ran() + skipped < declared) {
      problems.add(file + " | " + engine + " | only " + ran() + " ran and " + skipped + " were skipped, the file declares " + declared);
    }
    return problems;
  }

  String file() {
    return file;
  }

  String engine() {
    return engine;
  }

  int declared() {
    return declared;
  }

  int ran() {
    return passed + failed;
  }

  int passed() {
    return passed;
  }

  int failed() {
    return failed;
  }

  int skipped() {
    return skipped;
  }

  /** Each distinct skip reason with how many cases it covers, or null when nothing was skipped. */
  String skipReason() {
    return skipReasons.isEmpty() ? null : join(skipReasons);
  }

  /** Which way the {@code acceptable} cases went, or null when there were none. */
  String notes() {
    return notes.isEmpty() ? null : join(notes);
  }

  private static String join(Map<String, Integer> counted) {
    return counted.entrySet().stream()
        .map(e -> e.getKey() + " (" + e.getValue() + ")")
        .collect(Collectors.joining("; "));
  }
}
