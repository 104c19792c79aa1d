package com.plugsky.crypto.cli.bench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns a JMH JSON result ({@code -rf json}) into markdown: per benchmark family, one row per
 * (operation, parameters, size), one column per implementation, throughput in MB/s and ops/s with
 * JMH's error, and the ratio of our best engine to the best peer.
 *
 * <p>Results in a time mode (JMH's single-shot {@code ss}, as the cold-start family uses, {@code
 * avgt} and {@code sample}) get a table of their own per family: time per operation, lower is
 * better, with ratios turned so that above 1 still means we win.
 *
 * <p>A benchmark says which implementation it measures through its parameters: {@value
 * #OURS_PARAM} names one of our engines, {@value #PEER_PARAM} a peer. A {@value #SIZE_PARAM}
 * parameter is the payload in bytes per operation, from which MB/s (10<sup>6</sup> bytes/s)
 * follow. The family is the benchmark's package (e.g. {@code aesgcm}); the operation its method.
 *
 * <p>{@code plugsky-crypto bench report RESULT.json [--openssl SPEED.txt]} prints it; {@link
 * SvgChart} draws the same measurements and {@link Comparison} diffs two results.
 */
public final class BenchmarkReport {
  static final String OURS_PARAM = "engine";
  static final String PEER_PARAM = "peer";
  static final String SIZE_PARAM = "size";
  static final String ALLOCATION_METRIC = "gc.alloc.rate.norm";
  /** The family that {@code openssl speed -evp aes-256-gcm} is compared with. */
  static final String OPENSSL_FAMILY = "aesgcm";
  private static final List<String> OPERATION_ORDER = List.of("encrypt", "decrypt");
  private static final List<String> TIME_MODES = List.of("ss", "avgt", "sample");
  private static final Comparator<RowKey> ROW_ORDER =
      Comparator.comparing((RowKey r) -> operationRank(r.operation()))
          .thenComparing(RowKey::operation)
          .thenComparing(r -> r.params().toString())
          .thenComparing(r -> r.size() == null ? -1 : r.size());
  /**
   * Column order of the implementations this project knows (ours, then peers), so that a missing
   * result never reshuffles the table; any other name follows in order of first appearance.
   */
  private static final List<String> IMPLEMENTATION_ORDER =
      List.of("default", "native", "jdk", "bc-fips", "pkcs11", "sunjce", "accp", "conscrypt", "tink", "bc-fips-jca");

  enum Side {
    OURS,
    PEER,
    OTHER
  }

  record Implementation(String name, Side side) {
    String header() {
      return switch (side) {
        case OURS -> "ours: " + name;
        case PEER -> "peer: " + name;
        case OTHER -> name;
      };
    }
  }

  /** What a row stands for; {@code size} is null for benchmarks without a size parameter. */
  record RowKey(String family, String operation, Map<String, String> params, Integer size) {}

  /** One benchmark's result; errors are NaN when JMH could not compute one (a single iteration). */
  record Measurement(
      RowKey row,
      Implementation implementation,
      double opsPerSecond,
      double opsError,
      Double bytesAllocatedPerOp) {

    double megabytesPerSecond() {
      return opsPerSecond * row.size() / 1e6;
    }

    double megabytesError() {
      return opsError * row.size() / 1e6;
    }
  }

  /**
   * One result in a time mode ({@code mode}: ss, avgt or sample), in seconds per operation; the
   * error is NaN when JMH could not compute one.
   */
  record Timing(RowKey row, Implementation implementation, String mode, double secondsPerOp, double secondsError) {}

  private final List<Measurement> measurements = new ArrayList<>();
  private final List<Timing> timings = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final JsonNode first;
  private final String source;
  /** The thread counts of the results, e.g. "1" or "1 or 2" (rows name theirs when not 1). */
  private final String threadCounts;

  private BenchmarkReport(JsonNode results, String source) {
    this.source = source;
    if (!results.isArray()) {
      throw new IllegalArgumentException(source + " is not a JMH JSON result (expected a JSON array)");
    }
    this.first = results.isEmpty() ? null : results.get(0);
    SortedSet<Integer> threads = new TreeSet<>();
    for (JsonNode entry : results) {
      threads.add(entry.path("threads").asInt(1));
      read(entry);
    }
    this.threadCounts =
        threads.stream().map(String::valueOf).collect(Collectors.joining(" or "));
  }

  /** Reads a JMH JSON result file. */
  public static BenchmarkReport load(Path results) throws IOException {
    JsonNode tree;
    try {
      tree = new ObjectMapper().readTree(results.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(results + " is not JSON: " + e.getOriginalMessage());
    }
    return new BenchmarkReport(tree, results.getFileName().toString());
  }

  List<Measurement> measurements() {
    return List.copyOf(measurements);
  }

  List<Timing> timings() {
    return List.copyOf(timings);
  }

  /** The families in the results (benchmark package names, e.g. {@code aesgcm}), sorted. */
  public List<String> families() {
    return measurements.stream().map(m -> m.row().family()).distinct().sorted().toList();
  }

  /** The markdown report of a JMH JSON file, with the openssl comparison when a speed file is given. */
  public static String render(Path results, Path opensslSpeed) throws IOException {
    List<OpensslSpeed.Sample> openssl =
        opensslSpeed == null ? List.of() : OpensslSpeed.parse(Files.readAllLines(opensslSpeed));
    return load(results).markdown(openssl);
  }

  private void read(JsonNode entry) {
    String benchmark = entry.path("benchmark").asText();
    String mode = entry.path("mode").asText();
    if (!mode.equals("thrpt") && !TIME_MODES.contains(mode)) {
      notes.add(
          "skipped " + benchmark + ": mode " + mode + " (this report reads thrpt, ss, avgt and sample)");
      return;
    }
    JsonNode metric = entry.path("primaryMetric");
    String unit = metric.path("scoreUnit").asText();

    int methodDot = benchmark.lastIndexOf('.');
    int classDot = benchmark.lastIndexOf('.', methodDot - 1);
    int packageDot = benchmark.lastIndexOf('.', classDot - 1);
    String operation = benchmark.substring(methodDot + 1);
    String family = benchmark.substring(packageDot + 1, classDot);
    String className = benchmark.substring(classDot + 1, methodDot);

    Map<String, String> rowParams = new TreeMap<>();
    Implementation implementation = new Implementation(className, Side.OTHER);
    Integer size = null;
    JsonNode params = entry.path("params");
    for (Map.Entry<String, JsonNode> param : params.properties()) {
      String name = param.getKey();
      String value = param.getValue().asText();
      switch (name) {
        case OURS_PARAM -> implementation = new Implementation(value, Side.OURS);
        case PEER_PARAM -> implementation = new Implementation(value, Side.PEER);
        case SIZE_PARAM -> size = Integer.valueOf(value);
        default -> rowParams.put(name, value);
      }
    }
    // A row measured on more threads is another row: comparing it with a one-thread row would read
    // the threads' sum as an improvement.
    int threads = entry.path("threads").asInt(1);
    if (threads != 1) {
      rowParams.put("threads", Integer.toString(threads));
    }
    RowKey row = new RowKey(family, operation, rowParams, size);
    if (TIME_MODES.contains(mode)) {
      double seconds = secondsFactor(unit, benchmark);
      timings.add(
          new Timing(
              row,
              implementation,
              mode,
              number(metric.path("score")) * seconds,
              number(metric.path("scoreError")) * seconds));
      return;
    }
    double perSecond = perSecondFactor(unit, benchmark);
    JsonNode allocation = entry.path("secondaryMetrics").path(ALLOCATION_METRIC).path("score");
    Double allocated = allocation.isNumber() ? allocation.asDouble() : null;
    measurements.add(
        new Measurement(
            row,
            implementation,
            number(metric.path("score")) * perSecond,
            number(metric.path("scoreError")) * perSecond,
            allocated));
  }

  private static double secondsFactor(String unit, String benchmark) {
    return switch (unit) {
      case "s/op" -> 1;
      case "ms/op" -> 1e-3;
      case "us/op" -> 1e-6;
      case "ns/op" -> 1e-9;
      case "min/op" -> 60;
      default -> throw new IllegalArgumentException(benchmark + ": unexpected time unit '" + unit + "'");
    };
  }

  private static double number(JsonNode node) {
    return node.isNumber() ? node.asDouble() : Double.NaN;
  }

  private static double perSecondFactor(String unit, String benchmark) {
    return switch (unit) {
      case "ops/s" -> 1;
      case "ops/ms" -> 1e3;
      case "ops/us" -> 1e6;
      case "ops/ns" -> 1e9;
      case "ops/min" -> 1.0 / 60;
      default -> throw new IllegalArgumentException(benchmark + ": unexpected throughput unit '" + unit + "'");
    };
  }

  /** The markdown report, with the openssl comparison when {@code openssl} is not empty. */
  public String markdown(List<OpensslSpeed.Sample> openssl) {
    StringBuilder out = new StringBuilder();
    out.append("# Benchmark report\n\n");
    header(out);
    Map<String, List<Measurement>> byFamily =
        measurements.stream()
            .collect(Collectors.groupingBy(m -> m.row().family(), TreeMap::new, Collectors.toList()));
    Map<String, List<Timing>> timedByFamily =
        timings.stream()
            .collect(Collectors.groupingBy(t -> t.row().family(), TreeMap::new, Collectors.toList()));
    SortedSet<String> families = new TreeSet<>(byFamily.keySet());
    families.addAll(timedByFamily.keySet());
    for (String family : families) {
      out.append("## ").append(family).append("\n\n");
      List<Measurement> results = byFamily.getOrDefault(family, List.of());
      if (!results.isEmpty()) {
        List<Implementation> columns = columns(results);
        Map<RowKey, Map<Implementation, Measurement>> rows = rows(results);
        List<String> paramNames = paramNames(rows.keySet());

        out.append("Throughput, higher is better. ").append(ratioExplanation(columns)).append("\n\n");
        table(out, rows, columns, paramNames, true);

        if (results.stream().anyMatch(m -> m.bytesAllocatedPerOp() != null)) {
          out.append("\n### ").append(family).append(": allocation per operation (-prof gc)\n\n");
          out.append("Bytes allocated per operation (`gc.alloc.rate.norm`), lower is better.\n\n");
          table(out, rows, columns, paramNames, false);
        }
      }
      List<Timing> timed = timedByFamily.getOrDefault(family, List.of());
      if (!timed.isEmpty()) {
        if (!results.isEmpty()) {
          out.append('\n');
        }
        timeTables(out, family, timed);
      }
      out.append('\n');
    }
    if (!openssl.isEmpty()) {
      openssl(out, openssl);
    }
    if (!notes.isEmpty()) {
      out.append("## Notes\n\n");
      notes.forEach(note -> out.append("- ").append(note).append('\n'));
      out.append('\n');
    }
    return out.toString();
  }

  private void header(StringBuilder out) {
    out.append("- results: `").append(source).append("`\n");
    if (first == null) {
      out.append("- the file holds no results\n\n");
      return;
    }
    out.append(
        String.format(
            Locale.ROOT,
            "- JMH %s on JDK %s (%s %s), %s thread(s)%n",
            first.path("jmhVersion").asText("?"),
            first.path("jdkVersion").asText("?"),
            first.path("vmName").asText("?"),
            first.path("vmVersion").asText("?"),
            threadCounts));
    out.append(
        String.format(
            Locale.ROOT,
            "- profile: %d fork(s) × (%d × %s warmup + %d × %s measurement)%n",
            first.path("forks").asInt(),
            first.path("warmupIterations").asInt(),
            first.path("warmupTime").asText("?"),
            first.path("measurementIterations").asInt(),
            first.path("measurementTime").asText("?")));
    // Forks inherit the launcher JVM's flags and then append @Fork's, so some appear twice.
    SequencedSet<String> jvmArgs = new LinkedHashSet<>();
    first.path("jvmArgs").forEach(arg -> jvmArgs.add(arg.asText()));
    out.append("- JVM args (each once): `").append(String.join(" ", jvmArgs)).append("`\n");
    out.append(
        measurements.isEmpty()
            ? "- ± is JMH's 99.9% confidence half-width\n"
            : "- MB/s = 10^6 payload bytes per second (ops/s × size); ± is JMH's 99.9% confidence"
                + " half-width (absent when a single iteration was measured)\n");
    long unmeasured = measurements.stream().filter(m -> Double.isNaN(m.opsError())).count();
    if (unmeasured > 0) {
      out.append("- **")
          .append(unmeasured)
          .append(" result(s) without an error estimate (one measured iteration): smoke numbers, not for publication**\n");
    }
    out.append('\n');
  }

  private static String ratioExplanation(List<Implementation> columns) {
    boolean ours = columns.stream().anyMatch(c -> c.side() == Side.OURS);
    boolean peers = columns.stream().anyMatch(c -> c.side() == Side.PEER);
    if (!ours || !peers) {
      return "";
    }
    return "\"ours / best peer\" divides ours by the fastest peer in the row (above 1: we win); ours is the"
        + " `default` Aead (what Engines.newAead gives a service) when it was measured, else our fastest engine.";
  }

  static List<Implementation> columns(List<Measurement> results) {
    SequencedSet<Implementation> seen = new LinkedHashSet<>();
    results.forEach(m -> seen.add(m.implementation()));
    return orderedColumns(seen);
  }

  private static List<Implementation> orderedColumns(SequencedSet<Implementation> seen) {
    List<Implementation> ordered = new ArrayList<>(seen);
    ordered.sort(
        Comparator.comparing(Implementation::side)
            .thenComparingInt(
                i -> {
                  int known = IMPLEMENTATION_ORDER.indexOf(i.name());
                  return known < 0 ? IMPLEMENTATION_ORDER.size() : known;
                }));
    return ordered;
  }

  static Map<RowKey, Map<Implementation, Measurement>> rows(List<Measurement> results) {
    Map<RowKey, Map<Implementation, Measurement>> rows = new TreeMap<>(ROW_ORDER);
    for (Measurement m : results) {
      rows.computeIfAbsent(m.row(), k -> new LinkedHashMap<>()).put(m.implementation(), m);
    }
    return rows;
  }

  private static int operationRank(String operation) {
    int index = OPERATION_ORDER.indexOf(operation);
    return index < 0 ? OPERATION_ORDER.size() : index;
  }

  private static List<String> paramNames(Iterable<RowKey> rows) {
    SequencedSet<String> names = new LinkedHashSet<>();
    rows.forEach(r -> names.addAll(r.params().keySet()));
    return List.copyOf(names);
  }

  private static void table(
      StringBuilder out,
      Map<RowKey, Map<Implementation, Measurement>> rows,
      List<Implementation> columns,
      List<String> paramNames,
      boolean throughput) {
    boolean anySize = rows.keySet().stream().anyMatch(r -> r.size() != null);
    boolean ratio =
        throughput
            && columns.stream().anyMatch(c -> c.side() == Side.OURS)
            && columns.stream().anyMatch(c -> c.side() == Side.PEER);
    Optional<Implementation> baseline = throughput ? jdkBaseline(columns) : Optional.empty();
    List<String> ratios = new ArrayList<>();
    if (ratio) {
      ratios.add("ours / best peer");
    }
    baseline.ifPresent(jdk -> ratios.add("ours / " + jdk.name()));
    header(out, paramNames, anySize, columns, ratios);
    for (Map.Entry<RowKey, Map<Implementation, Measurement>> row : rows.entrySet()) {
      RowKey key = row.getKey();
      List<String> cells = new ArrayList<>();
      cells.add(key.operation());
      for (String name : paramNames) {
        cells.add(key.params().getOrDefault(name, ""));
      }
      if (anySize) {
        cells.add(key.size() == null ? "" : size(key.size()));
      }
      for (Implementation column : columns) {
        Measurement m = row.getValue().get(column);
        cells.add(m == null ? "-" : throughput ? throughputCell(m) : allocationCell(m));
      }
      if (ratio) {
        cells.add(ratioCell(row.getValue().values()));
      }
      baseline.ifPresent(jdk -> cells.add(baselineCell(row.getValue(), jdk)));
      line(out, cells);
    }
  }

  /** One table per time mode: seconds per operation, lower is better, ratios turned accordingly. */
  private static void timeTables(StringBuilder out, String family, List<Timing> timed) {
    Map<String, List<Timing>> byMode =
        timed.stream().collect(Collectors.groupingBy(Timing::mode, TreeMap::new, Collectors.toList()));
    for (Map.Entry<String, List<Timing>> mode : byMode.entrySet()) {
      List<Timing> results = mode.getValue();
      SequencedSet<Implementation> seen = new LinkedHashSet<>();
      results.forEach(t -> seen.add(t.implementation()));
      List<Implementation> columns = orderedColumns(seen);
      Map<RowKey, Map<Implementation, Timing>> rows = new TreeMap<>(ROW_ORDER);
      for (Timing t : results) {
        rows.computeIfAbsent(t.row(), k -> new LinkedHashMap<>()).put(t.implementation(), t);
      }
      List<String> paramNames = paramNames(rows.keySet());
      boolean anySize = rows.keySet().stream().anyMatch(r -> r.size() != null);
      boolean ratio =
          columns.stream().anyMatch(c -> c.side() == Side.OURS)
              && columns.stream().anyMatch(c -> c.side() == Side.PEER);
      Optional<Implementation> baseline = jdkBaseline(columns);

      out.append("### ").append(family).append(": time per operation (").append(timeModeName(mode.getKey())).append(")\n\n");
      out.append("Lower is better.");
      if (ratio || baseline.isPresent()) {
        out.append(" Ratios divide the other's time by ours (above 1: we are faster); ours is the `default`")
            .append(" Aead when it was measured, else our fastest engine.");
      }
      out.append("\n\n");
      List<String> ratios = new ArrayList<>();
      if (ratio) {
        ratios.add("best peer / ours");
      }
      baseline.ifPresent(jdk -> ratios.add(jdk.name() + " / ours"));
      header(out, paramNames, anySize, columns, ratios);
      for (Map.Entry<RowKey, Map<Implementation, Timing>> row : rows.entrySet()) {
        RowKey key = row.getKey();
        List<String> cells = new ArrayList<>(List.of(key.operation()));
        paramNames.forEach(name -> cells.add(key.params().getOrDefault(name, "")));
        if (anySize) {
          cells.add(key.size() == null ? "" : size(key.size()));
        }
        for (Implementation column : columns) {
          Timing t = row.getValue().get(column);
          cells.add(t == null ? "-" : timeCell(t));
        }
        Timing ours = fastestOurs(row.getValue().values());
        if (ratio) {
          Timing peer =
              row.getValue().values().stream()
                  .filter(t -> t.implementation().side() == Side.PEER)
                  .min(Comparator.comparingDouble(Timing::secondsPerOp))
                  .orElse(null);
          cells.add(
              ours == null || peer == null
                  ? "-"
                  : String.format(
                      Locale.ROOT,
                      "%.2f (%s vs %s)",
                      peer.secondsPerOp() / ours.secondsPerOp(),
                      ours.implementation().name(),
                      peer.implementation().name()));
        }
        baseline.ifPresent(jdk -> {
          Timing other = row.getValue().get(jdk);
          cells.add(
              ours == null || other == null
                  ? "-"
                  : String.format(
                      Locale.ROOT, "%.2f (%s)", other.secondsPerOp() / ours.secondsPerOp(), ours.implementation().name()));
        });
        line(out, cells);
      }
    }
  }

  private static String timeModeName(String mode) {
    return switch (mode) {
      case "ss" -> "single shot: one call per fork, nothing warmed up";
      case "avgt" -> "average time";
      default -> "sampled time";
    };
  }

  /** The {@code default} Aead when it was measured, else our fastest engine in the row. */
  private static Timing fastestOurs(Iterable<Timing> row) {
    Timing best = null;
    for (Timing t : row) {
      if (t.implementation().side() != Side.OURS) {
        continue;
      }
      if (t.implementation().name().equals("default")) {
        return t;
      }
      if (best == null || t.secondsPerOp() < best.secondsPerOp()) {
        best = t;
      }
    }
    return best;
  }

  /** A time in the unit that keeps it between 1 and 1000: "12.3 ms ± 0.40", "850 µs". */
  static String timeCell(Timing t) {
    double seconds = t.secondsPerOp();
    String[] units = {"s", "ms", "µs", "ns"};
    double scale = 1;
    int index = 0;
    while (index < units.length - 1 && Math.abs(seconds * scale) < 0.9995) {
      scale *= 1000;
      index++;
    }
    String value = sig3(seconds * scale) + " " + units[index];
    return Double.isNaN(t.secondsError()) ? value : value + " ± " + sig3(t.secondsError() * scale);
  }

  /** A table's header and alignment lines: row key columns, one per implementation, ratios. */
  private static void header(
      StringBuilder out,
      List<String> paramNames,
      boolean anySize,
      List<Implementation> columns,
      List<String> ratios) {
    List<String> header = new ArrayList<>(List.of("operation"));
    List<String> align = new ArrayList<>(List.of("---"));
    for (String name : paramNames) {
      header.add(name);
      align.add("---");
    }
    if (anySize) {
      header.add("size");
      align.add("---:");
    }
    for (Implementation column : columns) {
      header.add(column.header());
      align.add("---:");
    }
    for (String ratio : ratios) {
      header.add(ratio);
      align.add("---:");
    }
    line(out, header);
    line(out, align);
  }

  private static void line(StringBuilder out, List<String> cells) {
    out.append("| ").append(String.join(" | ", cells)).append(" |\n");
  }

  static String throughputCell(Measurement m) {
    String ops = sig3(m.opsPerSecond()) + " ops/s";
    if (m.row().size() == null) {
      return Double.isNaN(m.opsError()) ? ops : ops + " ± " + sig3(m.opsError());
    }
    String mb = String.format(Locale.ROOT, "%.1f", m.megabytesPerSecond());
    String error =
        Double.isNaN(m.megabytesError()) ? "" : String.format(Locale.ROOT, " ± %.1f", m.megabytesError());
    return mb + error + " MB/s (" + ops + ")";
  }

  private static String allocationCell(Measurement m) {
    return m.bytesAllocatedPerOp() == null
        ? "-"
        : String.format(Locale.ROOT, "%.1f B/op", m.bytesAllocatedPerOp());
  }

  /**
   * What the JDK alone gives a service, which the report and the chart divide by: our {@code jdk}
   * engine, else the raw SunJCE peer.
   */
  static Optional<Implementation> jdkBaseline(List<Implementation> columns) {
    for (Implementation candidate :
        List.of(new Implementation("jdk", Side.OURS), new Implementation("sunjce", Side.PEER))) {
      if (columns.contains(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static String baselineCell(Map<Implementation, Measurement> row, Implementation baseline) {
    Measurement jdk = row.get(baseline);
    Measurement ours = bestOurs(row.values());
    if (jdk == null || ours == null) {
      return "-";
    }
    return String.format(
        Locale.ROOT, "%.2f (%s)", ours.opsPerSecond() / jdk.opsPerSecond(), ours.implementation().name());
  }

  /** The {@code default} Aead when it was measured, else our fastest engine in the row. */
  static Measurement bestOurs(Iterable<Measurement> row) {
    Measurement best = null;
    for (Measurement m : row) {
      if (m.implementation().side() != Side.OURS) {
        continue;
      }
      if (m.implementation().name().equals("default")) {
        return m;
      }
      if (best == null || m.opsPerSecond() > best.opsPerSecond()) {
        best = m;
      }
    }
    return best;
  }

  private static String ratioCell(Iterable<Measurement> row) {
    Measurement bestOurs = bestOurs(row);
    Measurement bestPeer = null;
    for (Measurement m : row) {
      if (m.implementation().side() == Side.PEER && (bestPeer == null || m.opsPerSecond() > bestPeer.opsPerSecond())) {
        bestPeer = m;
      }
    }
    if (bestOurs == null || bestPeer == null) {
      return "-";
    }
    return String.format(
        Locale.ROOT,
        "%.2f (%s vs %s)",
        bestOurs.opsPerSecond() / bestPeer.opsPerSecond(),
        bestOurs.implementation().name(),
        bestPeer.implementation().name());
  }

  private void openssl(StringBuilder out, List<OpensslSpeed.Sample> samples) {
    List<Measurement> encrypts =
        measurements.stream()
            .filter(m -> m.row().family().equals(OPENSSL_FAMILY))
            .filter(m -> m.row().operation().equals("encrypt"))
            .filter(m -> m.implementation().side() == Side.OURS)
            .filter(m -> m.row().size() != null)
            .toList();
    SequencedSet<Map<String, String>> variants = new LinkedHashSet<>();
    encrypts.stream()
        .map(m -> m.row().params())
        .sorted(Comparator.comparing(Map::toString))
        .forEach(variants::add);

    out.append("## openssl speed (C reference, encrypt only)\n\n");
    out.append(
        "`openssl speed -evp` timings next to our fastest engine's encryption of the same size"
            + " (ratio above 1: we are faster).\n\n");
    List<String> header = new ArrayList<>(List.of("size", "openssl"));
    List<String> align = new ArrayList<>(List.of("---:", "---:"));
    for (Map<String, String> variant : variants) {
      header.add("best ours, " + describe(variant));
      header.add("ours / openssl, " + describe(variant));
      align.add("---:");
      align.add("---:");
    }
    line(out, header);
    line(out, align);
    for (OpensslSpeed.Sample sample : samples) {
      List<String> cells = new ArrayList<>();
      cells.add(size(sample.blockSize()));
      cells.add(
          String.format(Locale.ROOT, "%.1f MB/s (%s ops/s)", sample.bytesPerSecond() / 1e6, sig3(sample.opsPerSecond()))
              + (sample.algorithm().isEmpty() ? "" : " " + sample.algorithm()));
      for (Map<String, String> variant : variants) {
        Optional<Measurement> best =
            encrypts.stream()
                .filter(m -> m.row().size() == sample.blockSize() && m.row().params().equals(variant))
                .max(Comparator.comparingDouble(Measurement::opsPerSecond));
        cells.add(best.map(m -> String.format(Locale.ROOT, "%.1f MB/s (%s)", m.megabytesPerSecond(), m.implementation().name())).orElse("-"));
        cells.add(
            best.map(m -> String.format(Locale.ROOT, "%.2f", m.megabytesPerSecond() * 1e6 / sample.bytesPerSecond()))
                .orElse("-"));
      }
      line(out, cells);
    }
    out.append('\n');
  }

  static String describe(Map<String, String> params) {
    return params.isEmpty()
        ? "all"
        : params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
  }

  /** 64 -> "64 B", 1024 -> "1 KiB", 1048576 -> "1 MiB", 2^30 -> "1 GiB"; other sizes in bytes. */
  static String size(int bytes) {
    if (bytes >= 1 << 30 && bytes % (1 << 30) == 0) {
      return (bytes >> 30) + " GiB";
    }
    if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " B";
  }

  /** Three significant digits with k/M/G: 1250000 -> "1.25M", 800000 -> "800k", 3050 -> "3.05k". */
  static String sig3(double value) {
    String[] suffixes = {"", "k", "M", "G"};
    int index = 0;
    double scaled = value;
    while (Math.abs(scaled) >= 999.5 && index < suffixes.length - 1) {
      scaled /= 1000;
      index++;
    }
    double magnitude = Math.abs(scaled);
    String pattern = magnitude >= 99.95 ? "%.0f" : magnitude >= 9.995 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, pattern, scaled) + suffixes[index];
  }
}
