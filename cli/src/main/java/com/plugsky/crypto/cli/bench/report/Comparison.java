package com.plugsky.crypto.cli.bench.report;

import com.plugsky.crypto.cli.bench.report.BenchmarkReport.Implementation;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport.Measurement;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport.RowKey;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport.Timing;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two results of the same benchmarks side by side (before and after a change, or two machines), as
 * a markdown table. A benchmark has regressed when its interval after (score ± JMH's 99.9% error)
 * lies wholly on the worse side of the interval before: below it for throughput, above it for a
 * time per operation (single shot, average or sampled time); a move inside the error bars is noise.
 * Results without an error (a single iteration) are never called a regression.
 */
public final class Comparison {
  /** How one benchmark moved. */
  public enum Verdict {
    REGRESSION("**regression**"),
    IMPROVEMENT("improvement"),
    WITHIN_ERROR("within error"),
    NO_ERROR_BARS("no error bars");

    private final String label;

    Verdict(String label) {
      this.label = label;
    }
  }

  /**
   * One benchmark's result either way: a throughput ({@code higherIsBetter}) or a time per
   * operation, with its error and its cell as the report prints it.
   */
  record Score(
      RowKey row,
      Implementation implementation,
      double value,
      double error,
      boolean higherIsBetter,
      String cell) {
    static Score of(Measurement m) {
      return new Score(
          m.row(),
          m.implementation(),
          m.opsPerSecond(),
          m.opsError(),
          true,
          BenchmarkReport.throughputCell(m));
    }

    static Score of(Timing t) {
      return new Score(
          t.row(),
          t.implementation(),
          t.secondsPerOp(),
          t.secondsError(),
          false,
          BenchmarkReport.timeCell(t));
    }

    /** How much faster {@code after} is than this, in per cent (negative: slower). */
    double speedChange(Score after) {
      return (higherIsBetter ? after.value / value : value / after.value) * 100 - 100;
    }
  }

  record Line(Score before, Score after, Verdict verdict) {}

  private final List<Line> lines = new ArrayList<>();
  private final List<String> onlyBefore = new ArrayList<>();
  private final List<String> onlyAfter = new ArrayList<>();
  private final String beforeName;
  private final String afterName;

  private Comparison(
      BenchmarkReport before, String beforeName, BenchmarkReport after, String afterName) {
    this.beforeName = beforeName;
    this.afterName = afterName;
    Map<String, Score> afterByName = new LinkedHashMap<>();
    scores(after).forEach(score -> afterByName.put(name(score), score));
    for (Score b : scores(before)) {
      Score a = afterByName.remove(name(b));
      if (a == null) {
        onlyBefore.add(name(b));
      } else {
        lines.add(new Line(b, a, verdict(b, a)));
      }
    }
    onlyAfter.addAll(afterByName.keySet());
  }

  private static List<Score> scores(BenchmarkReport report) {
    List<Score> scores = new ArrayList<>();
    report.measurements().forEach(m -> scores.add(Score.of(m)));
    report.timings().forEach(t -> scores.add(Score.of(t)));
    return scores;
  }

  public static Comparison of(
      BenchmarkReport before, String beforeName, BenchmarkReport after, String afterName) {
    return new Comparison(before, beforeName, after, afterName);
  }

  /** How many benchmarks both results hold. */
  public int compared() {
    return lines.size();
  }

  public long regressions() {
    return lines.stream().filter(l -> l.verdict() == Verdict.REGRESSION).count();
  }

  static Verdict verdict(Score before, Score after) {
    if (Double.isNaN(before.error()) || Double.isNaN(after.error())) {
      return Verdict.NO_ERROR_BARS;
    }
    boolean below = after.value() + after.error() < before.value() - before.error();
    boolean above = after.value() - after.error() > before.value() + before.error();
    if (before.higherIsBetter() ? below : above) {
      return Verdict.REGRESSION;
    }
    if (before.higherIsBetter() ? above : below) {
      return Verdict.IMPROVEMENT;
    }
    return Verdict.WITHIN_ERROR;
  }

  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("# Benchmark comparison\n\n");
    out.append("- before: `").append(beforeName).append("`\n");
    out.append("- after: `").append(afterName).append("`\n");
    out.append(
        "- a regression: the interval after (score ± error) lies wholly on the worse side of the"
            + " one before; change is in speed (ops/s, or the inverse of a time per"
            + " operation)\n\n");
    out.append("| benchmark | implementation | before | after | change | verdict |\n");
    out.append("| --- | --- | ---: | ---: | ---: | --- |\n");
    for (Line line : lines) {
      out.append("| ")
          .append(describe(line.before().row()))
          .append(" | ")
          .append(line.before().implementation().header())
          .append(" | ")
          .append(line.before().cell())
          .append(" | ")
          .append(line.after().cell())
          .append(" | ")
          .append(String.format(Locale.ROOT, "%+.1f%%", line.before().speedChange(line.after())))
          .append(" | ")
          .append(line.verdict().label)
          .append(" |\n");
    }
    out.append('\n');
    out.append(
        String.format(Locale.ROOT, "%d compared, %d regression(s)%n", lines.size(), regressions()));
    if (!onlyBefore.isEmpty()) {
      out.append("\nOnly in before: ").append(String.join(", ", onlyBefore)).append('\n');
    }
    if (!onlyAfter.isEmpty()) {
      out.append("\nOnly in after: ").append(String.join(", ", onlyAfter)).append('\n');
    }
    return out.toString();
  }

  private static String name(Score score) {
    return describe(score.row()) + " " + score.implementation().header();
  }

  private static String describe(RowKey row) {
    StringBuilder text = new StringBuilder(row.family()).append('.').append(row.operation());
    if (!row.params().isEmpty()) {
      text.append(' ').append(BenchmarkReport.describe(row.params()));
    }
    if (row.size() != null) {
      text.append(' ').append(BenchmarkReport.size(row.size()));
    }
    return text.toString();
  }
}
