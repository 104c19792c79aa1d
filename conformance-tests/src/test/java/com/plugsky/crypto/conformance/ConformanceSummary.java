package com.plugsky.crypto.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.plugsky.crypto.engine.EngineStatus;
import com.plugsky.crypto.engine.Engines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the run's results: a table on standard output, {@code conformance-summary[-<mode>].json}
 * (a list of {@code {file, engine, declared, ran, passed, failed, skipped, skipReason}} plus {@code
 * mode}, {@code fipsApproved} and {@code notes}) and {@code conformance-failures[-<mode>].txt}.
 *
 * <p>The mode comes from the system property {@value #MODE_PROPERTY}: {@code default}, or {@code
 * fips-approved} for the surefire execution that runs Bouncy Castle FIPS in approved-only mode.
 */
final class ConformanceSummary {
  static final String MODE_PROPERTY = "conformance.mode";
  static final String OUTPUT_PROPERTY = "conformance.outputDirectory";

  private ConformanceSummary() {}

  static String mode() {
    return System.getProperty(MODE_PROPERTY, "default");
  }

  static Path write(List<Tally> tallies) throws IOException {
    String mode = mode();
    String suffix = mode.equals("default") ? "" : "-" + mode;
    Path directory = Path.of(System.getProperty(OUTPUT_PROPERTY, "target"));
    Files.createDirectories(directory);

    List<Map<String, Object>> rows = new ArrayList<>();
    for (Tally tally : tallies) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("file", tally.file());
      row.put("engine", tally.engine());
      row.put("declared", tally.declared());
      row.put("ran", tally.ran());
      row.put("passed", tally.passed());
      row.put("failed", tally.failed());
      row.put("skipped", tally.skipped());
      row.put("skipReason", tally.skipReason());
      row.put("mode", mode);
      row.put("fipsApproved", fipsApproved(tally.engine()));
      row.put("notes", tally.notes());
      rows.add(row);
    }
    Path json = directory.resolve("conformance-summary" + suffix + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), rows);

    List<String> problems = tallies.stream().flatMap(t -> t.problems().stream()).toList();
    Path failures = directory.resolve("conformance-failures" + suffix + ".txt");
    Files.write(failures, problems, StandardCharsets.UTF_8);

    System.out.println(table(mode, tallies, problems.size(), json, failures));
    return json;
  }

  private static boolean fipsApproved(String engine) {
    return Engines.available().stream().anyMatch(e -> e.name().equals(engine) && e.isFipsApproved());
  }

  private static String table(String mode, List<Tally> tallies, int problems, Path json, Path failures) {
    StringBuilder out = new StringBuilder();
    out.append("\nConformance summary (mode: ").append(mode).append(")\nEngines: ");
    out.append(String.join(", ", Engines.status().stream().map(EngineStatus::describe).toList())).append('\n');
    String format = "%-34s %-8s %8s %8s %8s %8s %8s  %s%n";
    out.append(String.format(format, "file", "engine", "declared", "ran", "passed", "failed", "skipped", "skipReason / notes"));
    for (Tally t : tallies) {
      String reason = t.skipReason() == null ? "" : t.skipReason();
      if (t.notes() != null) {
        reason += (reason.isEmpty() ? "" : " | ") + t.notes();
      }
      out.append(String.format(format, t.file(), t.engine(), t.declared(), t.ran(), t.passed(), t.failed(), t.skipped(), reason));
    }
    out.append(problems == 0 ? "No failures." : problems + " problem(s), all listed in " + failures).append('\n');
    out.append("JSON: ").append(json).append('\n');
    return out.toString();
  }
}
