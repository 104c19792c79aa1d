package com.plugsky.crypto.pkcs11.check;

import com.plugsky.crypto.pkcs11.check.CheckResult.Status;
import com.plugsky.crypto.pkcs11.ffm.TokenDirectory.ModuleInfo;
import com.plugsky.crypto.pkcs11.ffm.TokenDirectory.TokenInfo;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What an {@link HsmCheck} run found about one token through one backend: each check's result, the
 * token's mechanisms and what the backend cannot drive there. Renders as text ({@link #summary()}),
 * JSON ({@link #toJson()}) and a standalone HTML page ({@link #toHtml()}); {@link #exitCode()} is
 * what a command line tool should exit with.
 *
 * @param module the PKCS#11 module's path
 * @param token the token's label
 * @param backend the backend's name, e.g. {@code ffm}
 * @param startedAt when the run began
 * @param results every check, in the order run
 * @param mechanisms the token's mechanisms by name (empty if the login check failed)
 * @param unavailable each library operation the backend cannot drive on this token, with why
 * @param library the module's CK_INFO, or null when the module could not be loaded
 * @param tokenInfo the token's CK_TOKEN_INFO, or null when the token could not be found
 */
public record HsmCheckReport(
    String module,
    String token,
    String backend,
    Instant startedAt,
    List<CheckResult> results,
    SortedSet<String> mechanisms,
    Map<String, String> unavailable,
    ModuleInfo library,
    TokenInfo tokenInfo) {
  /** Failed vector tests listed per file in {@link #summary()}; JSON and HTML list them all. */
  private static final int LISTED_FAILURES = 10;

  public HsmCheckReport {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(startedAt, "startedAt");
    results = List.copyOf(results);
    mechanisms = Collections.unmodifiableSortedSet(new TreeSet<>(mechanisms));
    unavailable = Collections.unmodifiableMap(new TreeMap<>(unavailable));
  }

  /** Whether no check failed and at least one passed. */
  public boolean passed() {
    return count(Status.FAIL) == 0 && count(Status.PASS) > 0;
  }

  /**
   * Whether the token could not be used at all: the {@code login} check failed, because the module
   * did not load, the token was not found or it refused the login.
   */
  public boolean tokenUnusable() {
    return results.stream()
        .anyMatch(r -> r.name().equals(HsmCheck.LOGIN) && r.status() == Status.FAIL);
  }

  /** 0 when {@link #passed()}, 3 when the {@link #tokenUnusable()}, else 1. */
  public int exitCode() {
    if (passed()) {
      return 0;
    }
    return tokenUnusable() ? 3 : 1;
  }

  public long count(Status status) {
    return results.stream().filter(r -> r.status() == status).count();
  }

  /** A few lines per check, for a terminal. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append("hsm-check: token ")
        .append(token)
        .append(" via ")
        .append(backend)
        .append(" (")
        .append(module)
        .append(")\n");
    if (library != null) {
      out.append("  library: ")
          .append(library.manufacturer())
          .append(", ")
          .append(library.description())
          .append(' ')
          .append(library.libraryVersion())
          .append(" (Cryptoki ")
          .append(library.cryptokiVersion())
          .append(")\n");
    }
    if (tokenInfo != null) {
      out.append("  token: ")
          .append(tokenInfo.label())
          .append(", ")
          .append(tokenInfo.manufacturer())
          .append(' ')
          .append(tokenInfo.model())
          .append(", serial ")
          .append(tokenInfo.serialNumber())
          .append(", hardware ")
          .append(tokenInfo.hardwareVersion())
          .append(", firmware ")
          .append(tokenInfo.firmwareVersion())
          .append("\n         ")
          .append(String.join(" ", tokenInfo.flags()))
          .append('\n');
    }
    for (CheckResult result : results) {
      out.append(
          String.format(
              Locale.ROOT,
              "  %-4s %-24s %8.1f ms",
              result.status(),
              result.name(),
              result.elapsed().toNanos() / 1e6));
      result
          .opsPerSecond()
          .ifPresent(rate -> out.append(String.format(Locale.ROOT, "  %,.0f ops/s", rate)));
      out.append("\n       ").append(result.detail()).append('\n');
      for (VectorFileResult file : result.vectors()) {
        out.append("       ").append(file.summary()).append('\n');
        List<VectorFileResult.Failure> failures = file.failures();
        for (VectorFileResult.Failure failure :
            failures.subList(0, Math.min(failures.size(), LISTED_FAILURES))) {
          out.append("         tcId ")
              .append(failure.tcId())
              .append(" (")
              .append(failure.expected())
              .append("): ")
              .append(failure.reason())
              .append('\n');
        }
        if (failures.size() > LISTED_FAILURES) {
          out.append("         and ")
              .append(failures.size() - LISTED_FAILURES)
              .append(" more failed tests (all are in the JSON and HTML reports)\n");
        }
      }
    }
    out.append(
        String.format(
            Locale.ROOT,
            "%s: %d passed, %d failed, %d skipped; %d mechanisms%n",
            passed() ? "PASSED" : "FAILED",
            count(Status.PASS),
            count(Status.FAIL),
            count(Status.SKIP),
            mechanisms.size()));
    return out.toString();
  }

  /** The whole report as one JSON object. */
  public String toJson() {
    StringBuilder out = new StringBuilder("{");
    field(out, "module", module).append(',');
    field(out, "token", token).append(',');
    field(out, "backend", backend).append(',');
    field(out, "startedAt", startedAt.toString()).append(',');
    out.append("\"library\":");
    if (library == null) {
      out.append("null");
    } else {
      out.append('{');
      field(out, "cryptokiVersion", library.cryptokiVersion()).append(',');
      field(out, "manufacturer", library.manufacturer()).append(',');
      field(out, "description", library.description()).append(',');
      field(out, "libraryVersion", library.libraryVersion()).append('}');
    }
    out.append(",\"tokenInfo\":");
    if (tokenInfo == null) {
      out.append("null");
    } else {
      out.append('{');
      field(out, "label", tokenInfo.label()).append(',');
      field(out, "manufacturer", tokenInfo.manufacturer()).append(',');
      field(out, "model", tokenInfo.model()).append(',');
      field(out, "serialNumber", tokenInfo.serialNumber()).append(',');
      field(out, "hardwareVersion", tokenInfo.hardwareVersion()).append(',');
      field(out, "firmwareVersion", tokenInfo.firmwareVersion()).append(",\"flags\":[");
      out.append(String.join(",", tokenInfo.flags().stream().map(HsmCheckReport::quoted).toList()));
      out.append("]}");
    }
    out.append(",\"passed\":").append(passed()).append(",\"mechanisms\":[");
    String separator = "";
    for (String mechanism : mechanisms) {
      out.append(separator).append(quoted(mechanism));
      separator = ",";
    }
    out.append("],\"unavailable\":{");
    separator = "";
    for (Map.Entry<String, String> entry : unavailable.entrySet()) {
      out.append(separator);
      field(out, entry.getKey(), entry.getValue());
      separator = ",";
    }
    out.append("},\"checks\":[");
    separator = "";
    for (CheckResult result : results) {
      out.append(separator).append('{');
      field(out, "name", result.name()).append(',');
      field(out, "status", result.status().name()).append(',');
      out.append("\"millis\":")
          .append(String.format(Locale.ROOT, "%.3f", result.elapsed().toNanos() / 1e6))
          .append(',');
      field(out, "detail", result.detail());
      result
          .opsPerSecond()
          .ifPresent(
              rate ->
                  out.append(",\"opsPerSecond\":")
                      .append(String.format(Locale.ROOT, "%.1f", rate)));
      if (!result.vectors().isEmpty()) {
        out.append(",\"vectors\":[");
        String fileSeparator = "";
        for (VectorFileResult file : result.vectors()) {
          out.append(fileSeparator).append('{');
          field(out, "file", file.file())
              .append(",\"declared\":")
              .append(file.declared())
              .append(",\"read\":")
              .append(file.read())
              .append(",\"run\":")
              .append(file.run())
              .append(",\"skipped\":")
              .append(file.skipped())
              .append(",\"passed\":")
              .append(file.passed())
              .append(",\"failures\":[");
          String failureSeparator = "";
          for (VectorFileResult.Failure failure : file.failures()) {
            out.append(failureSeparator).append("{\"tcId\":").append(failure.tcId()).append(',');
            field(out, "expected", failure.expected()).append(',');
            field(out, "reason", failure.reason()).append('}');
            failureSeparator = ",";
          }
          out.append("]}");
          fileSeparator = ",";
        }
        out.append(']');
      }
      out.append('}');
      separator = ",";
    }
    return out.append("]}").toString();
  }

  /** A standalone HTML page with one table row per check and the mechanism list. */
  public String toHtml() {
    StringBuilder out = new StringBuilder();
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hsm-check ")
        .append(html(token))
        .append(
            "</title>\n"
                + "<style>body{font-family:sans-serif}td,th{padding:2px"
                + " 8px;text-align:left;vertical-align:top}.PASS{color:#070}.FAIL{color:#b00}.SKIP{color:#777}</style></head><body>\n"
                + "<h1>hsm-check: ")
        .append(passed() ? "passed" : "failed")
        .append("</h1>\n<p>Token <b>")
        .append(html(token))
        .append("</b> through <b>")
        .append(html(backend))
        .append("</b>, module <code>")
        .append(html(module))
        .append("</code>, ")
        .append(html(startedAt.toString()))
        .append("</p>\n");
    if (library != null) {
      out.append("<p>Library: ")
          .append(html(library.manufacturer() + ", " + library.description()))
          .append(' ')
          .append(html(library.libraryVersion()))
          .append(" (Cryptoki ")
          .append(html(library.cryptokiVersion()))
          .append(")</p>\n");
    }
    if (tokenInfo != null) {
      out.append("<p>Token: ")
          .append(
              html(
                  tokenInfo.label()
                      + ", "
                      + tokenInfo.manufacturer()
                      + " "
                      + tokenInfo.model()
                      + ", serial "
                      + tokenInfo.serialNumber()
                      + ", hardware "
                      + tokenInfo.hardwareVersion()
                      + ", firmware "
                      + tokenInfo.firmwareVersion()
                      + "; "
                      + String.join(" ", tokenInfo.flags())))
          .append("</p>\n");
    }
    out.append(
        "<table>\n"
            + "<tr><th>check</th><th>status</th><th>ms</th><th>ops/s</th><th>detail</th></tr>\n");
    for (CheckResult result : results) {
      out.append("<tr><td>")
          .append(html(result.name()))
          .append("</td><td class=\"")
          .append(result.status())
          .append("\">")
          .append(result.status())
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.1f", result.elapsed().toNanos() / 1e6))
          .append("</td><td>")
          .append(
              result.opsPerSecond().isPresent()
                  ? String.format(Locale.ROOT, "%,.0f", result.opsPerSecond().getAsDouble())
                  : "")
          .append("</td><td>")
          .append(html(result.detail()));
      for (VectorFileResult file : result.vectors()) {
        out.append("<br>").append(html(file.summary()));
        if (!file.failures().isEmpty()) {
          out.append("<ul>");
          for (VectorFileResult.Failure failure : file.failures()) {
            out.append("<li>tcId ")
                .append(failure.tcId())
                .append(" (")
                .append(html(failure.expected()))
                .append("): ")
                .append(html(failure.reason()))
                .append("</li>");
          }
          out.append("</ul>");
        }
      }
      out.append("</td></tr>\n");
    }
    out.append("</table>\n<h2>Not available through this backend</h2>\n<ul>\n");
    unavailable.forEach(
        (operation, reason) ->
            out.append("<li><b>")
                .append(html(operation))
                .append("</b>: ")
                .append(html(reason))
                .append("</li>\n"));
    out.append("</ul>\n<h2>Mechanisms (").append(mechanisms.size()).append(")</h2>\n<p>");
    out.append(html(String.join(", ", mechanisms)));
    return out.append("</p>\n</body></html>\n").toString();
  }

  private static StringBuilder field(StringBuilder out, String name, String value) {
    return out.append(quoted(name)).append(':').append(quoted(value));
  }

  private static String quoted(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static String html(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
