package com.plugsky.crypto.cli.bench.report;

import com.plugsky.crypto.cli.bench.report.BenchmarkReport.Implementation;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport.Measurement;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport.RowKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two results of the same benchmarks side by side (before and after a change, or two machines),
 * as a markdown table. A benchmark has regressed when its throughput interval after lies wholly
 * below the interval before (score ± JMH's 99.9% error on both sides): a drop inside the error
 * bars is noise. Results without an error (a single iteration) are never called a regression.
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

  record Line(RowKey row, Implementation implementation, Measurement before, Measurement after, Verdict verdict) {}

  private final List<Line> lines = new ArrayList<>();
  private final List<String> onlyBefore = new ArrayList<>();
  private final List<String> onlyAfter = new ArrayList<>();
  private final String beforeName;
  private final String afterName;

  private Comparison(BenchmarkReport before, String beforeName, BenchmarkReport after, String afterName) {
    this.beforeName = beforeName;
    this.afterName = afterName;
    Map<String, Measurement> afterByName = new LinkedHashMap<>();
    after.measurements().forEach(m -> afterByName.put(name(m), m));
    for (Measurement b : before.measurements()) {
      Measurement a = afterByName.remove(name(b));
      if (a == null) {
        onlyBefore.add(name(b));
      } else {
        lines.add(new Line(b.row(), b.implementation(), b, a, verdict(b, a)));
      }
    }
    onlyAfter.addAll(afterByName.keySet());
  }

  public static Comparison of(BenchmarkReport before, String beforeName, BenchmarkReport after, String afterName) {
    return new Comparison(before, beforeName, after, afterName);
  }

  /** How many benchmarks both results hold. */
  public int compared() {
    return lines.size();
  }

  public long regressions() {
    return lines.stream().filter(l -> l.verdict() == Verdict.REGRESSION).count();
  }

  static Verdict verdict(Measurement before, Measurement after) {
    if (Double.isNaN(before.opsError()) || Double.isNaN(after.opsError())) {
      return Verdict.NO_ERROR_BARS;
    }
    if (after.opsPerSecond() + after.opsError() < before.opsPerSecond() - before.opsError()) {
      return Verdict.REGRESSION;
    }
    if (after.opsPerSecond() - after.opsError() > before.opsPerSecond() + before.opsError()) {
      return Verdict.IMPROVEMENT;
    }
    return Verdict.WITHIN_ERROR;
  }

  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("# Benchmark comparison\n\n");
    out.append("- before: `").append(beforeName).append("`\n");
    out.append("- after: `").append(afterName).append("`\n");
    out.append("- a regression: the interval after (score ± error) lies wholly below the one before\n\n");
    out.append("| benchmark | implementation | before | after | change | verdict |\n");
    out.append("| --- | --- | ---: | ---: | ---: | --- |\n");
    for (Line line : lines) {
      out.append("| ")
          .append(describe(line.row()))
          .append(" | ")
          .append(line.implementation().header())
          .append(" | ")
          .append(BenchmarkReport.throughputCell(line.before()))
          .append(" | ")
          .append(BenchmarkReport.throughputCell(line.after()))
          .append(" | ")
          .append(
              String.format(
                  Locale.ROOT,
                  "%+.1f%%",
                  (line.after().opsPerSecond() / line.before().opsPerSecond() - 1) * 100))
          .append(" | ")
          .append(line.verdict().label)
          .append(" |\n");
    }
    out.append('\n');
    out.append(String.format(Locale.ROOT, "%d compared, %d regression(s)%n", lines.size(), regressions()));
    if (!onlyBefore.isEmpty()) {
      out.append("\nOnly in before: ").append(String.join(", ", onlyBefore)).append('\n');
    }
    if (!onlyAfter.isEmpty()) {
      out.append("\nOnly in after: ").append(String.join(", ", onlyAfter)).append('\n');
    }
    return out.toString();
  }

  private static String name(Measurement m) {
    return describe(m.row()) + " " + m.implementation().header();
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
