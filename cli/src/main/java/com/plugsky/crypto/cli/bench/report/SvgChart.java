package com.plugsky.crypto.cli.bench.report;

import com.plugsky.crypto.cli.bench.report.BenchmarkReport.Implementation;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport.Measurement;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport.RowKey;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport.Side;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One family's results as an SVG bar chart: a group per row of the markdown table (operation,
 * parameters, size), a bar per implementation with JMH's error as a whisker, each labelled with its
 * throughput and its ratio to the JDK baseline; for AES-GCM encryption, {@code openssl speed} at
 * the same size as one more bar. Bars are scaled per group, since sizes differ by orders of
 * magnitude.
 */
public final class SvgChart {
  private static final int WIDTH = 980;
  private static final int LABEL_X = 24;
  private static final int BAR_X = 250;
  private static final int BAR_MAX = 470;
  private static final int BAR_HEIGHT = 14;
  private static final int BAR_STEP = 18;
  private static final int TITLE_HEIGHT = 22;
  private static final int GROUP_GAP = 12;
  private static final String OURS_COLOUR = "#2b6cb0";
  private static final String PEER_COLOUR = "#a0aec0";
  private static final String BASELINE_COLOUR = "#4a5568";
  private static final String OPENSSL_COLOUR = "#dd6b20";

  private SvgChart() {}

  /** The chart of {@code family} in {@code report}; {@code openssl} may be empty. */
  public static String render(BenchmarkReport report, String family, List<OpensslSpeed.Sample> openssl) {
    List<Measurement> results =
        report.measurements().stream().filter(m -> m.row().family().equals(family)).toList();
    if (results.isEmpty()) {
      throw new IllegalArgumentException("no results for family " + family);
    }
    List<Implementation> columns = BenchmarkReport.columns(results);
    Optional<Implementation> baseline = BenchmarkReport.jdkBaseline(columns);
    Map<RowKey, Map<Implementation, Measurement>> rows = BenchmarkReport.rows(results);

    StringBuilder body = new StringBuilder();
    int y = 56;
    for (Map.Entry<RowKey, Map<Implementation, Measurement>> row : rows.entrySet()) {
      List<Bar> bars = bars(row.getKey(), row.getValue(), columns, baseline, openssl);
      double max = bars.stream().mapToDouble(b -> b.value() + (Double.isNaN(b.error()) ? 0 : b.error())).max().orElse(1);
      text(body, LABEL_X - 12, y + 14, "group", title(row.getKey()));
      y += TITLE_HEIGHT;
      for (Bar bar : bars) {
        int length = (int) Math.max(1, Math.round(bar.value() / max * BAR_MAX));
        text(body, LABEL_X, y + 11, "label", bar.label());
        body.append(
            String.format(
                Locale.ROOT,
                "  <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n",
                BAR_X, y, length, BAR_HEIGHT, bar.colour()));
        if (!Double.isNaN(bar.error()) && bar.error() > 0) {
          long from = Math.round((bar.value() - bar.error()) / max * BAR_MAX) + BAR_X;
          long to = Math.round((bar.value() + bar.error()) / max * BAR_MAX) + BAR_X;
          body.append(
              String.format(
                  Locale.ROOT,
                  "  <line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1a202c\" stroke-width=\"1.5\"/>%n",
                  from, y + BAR_HEIGHT / 2, to, y + BAR_HEIGHT / 2));
        }
        text(body, BAR_X + BAR_MAX + 10, y + 11, "value", bar.caption());
        y += BAR_STEP;
      }
      y += GROUP_GAP;
    }

    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
            WIDTH, y + 8, WIDTH, y + 8));
    svg.append(
        "  <style>text{font-family:sans-serif;font-size:12px;fill:#1a202c}"
            + ".title{font-size:16px;font-weight:bold}.group{font-weight:bold}"
            + ".value{font-family:monospace}</style>\n");
    svg.append("  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    text(svg, 12, 22, "title", family + ": throughput, higher is better");
    text(
        svg,
        12,
        40,
        "label",
        "bars scaled per group; whiskers are JMH's 99.9% error; "
            + baseline.map(b -> "×N is the ratio to " + b.header()).orElse("no JDK baseline measured")
            + (openssl.isEmpty() ? "" : "; orange: openssl speed"));
    svg.append(body).append("</svg>\n");
    return svg.toString();
  }

  private record Bar(String label, double value, double error, String caption, String colour) {}

  private static List<Bar> bars(
      RowKey row,
      Map<Implementation, Measurement> cells,
      List<Implementation> columns,
      Optional<Implementation> baseline,
      List<OpensslSpeed.Sample> openssl) {
    Measurement jdk = baseline.map(cells::get).orElse(null);
    boolean sized = row.size() != null;
    List<Bar> bars = new ArrayList<>();
    for (Implementation column : columns) {
      Measurement m = cells.get(column);
      if (m == null) {
        continue;
      }
      double value = sized ? m.megabytesPerSecond() : m.opsPerSecond();
      double error = sized ? m.megabytesError() : m.opsError();
      String colour =
          baseline.filter(column::equals).isPresent()
              ? BASELINE_COLOUR
              : column.side() == Side.OURS ? OURS_COLOUR : PEER_COLOUR;
      bars.add(new Bar(column.header(), value, error, caption(value, sized, m.opsPerSecond(), jdk), colour));
    }
    if (sized && row.family().equals(BenchmarkReport.OPENSSL_FAMILY) && row.operation().equals("encrypt")) {
      for (OpensslSpeed.Sample sample : openssl) {
        if (sample.blockSize() == row.size()) {
          double value = sample.bytesPerSecond() / 1e6;
          bars.add(
              new Bar(
                  "openssl speed " + sample.algorithm(),
                  value,
                  Double.NaN,
                  caption(value, true, sample.opsPerSecond(), jdk),
                  OPENSSL_COLOUR));
        }
      }
    }
    return bars;
  }

  private static String caption(double value, boolean sized, double opsPerSecond, Measurement jdk) {
    String shown =
        sized
            ? String.format(Locale.ROOT, "%.1f MB/s", value)
            : BenchmarkReport.sig3(value) + " ops/s";
    return jdk == null
        ? shown
        : shown + String.format(Locale.ROOT, "  ×%.2f", opsPerSecond / jdk.opsPerSecond());
  }

  private static String title(RowKey row) {
    StringBuilder title = new StringBuilder(row.operation());
    if (!row.params().isEmpty()) {
      title.append(" · ").append(BenchmarkReport.describe(row.params()));
    }
    if (row.size() != null) {
      title.append(" · ").append(BenchmarkReport.size(row.size()));
    }
    return title.toString();
  }

  private static void text(StringBuilder out, int x, int y, String cssClass, String text) {
    out.append(
        String.format(
            Locale.ROOT,
            "  <text x=\"%d\" y=\"%d\" class=\"%s\">%s</text>%n",
            x, y, cssClass, escape(text)));
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
