package com.plugsky.crypto.conformance.vectors;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One NIST CAVP response file (GCMVS {@code .rsp}, KWVS {@code .txt}), parsed.
 *
 * <p>The format: {@code #} comment lines; bracketed parameter lines ({@code [IVlen = 96]},
 * {@code [PLAINTEXT LENGTH = 128]}) that apply to every entry up to the next bracketed block;
 * entries separated by blank lines, each opened by {@code Count = n} (or {@code COUNT = n}) and
 * followed by {@code Name = hexvalue} lines (an empty value means zero bytes) and, in decrypt or
 * unwrap files, possibly a bare {@code FAIL} line. Lines end in CRLF (LF and lone CR are accepted
 * too). Anything else is a parse error naming the line, never silently ignored.
 *
 * @param name the file name, for reports
 * @param declaredCount how many entries the file holds by an independent count of its {@code
 *     Count =} lines on the raw text (see {@link #countEntryLines(String)}), to check the parser
 *     against
 * @param entries the parsed entries, in file order
 */
public record CavpFile(String name, int declaredCount, List<Entry> entries) {
  private static final Pattern COUNT_LINE =
      Pattern.compile("^[ \\t]*count[ \\t]*=", Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
  private static final Pattern PARAMETER = Pattern.compile("\\[\\s*([^=\\]]+?)\\s*(?:=\\s*([^\\]]*?)\\s*)?]");
  private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z][A-Za-z0-9 ]*?)\\s*=\\s*(.*)");
  private static final HexFormat HEX = HexFormat.of();

  public CavpFile {
    Objects.requireNonNull(name, "name");
    entries = List.copyOf(entries);
  }

  /**
   * One entry.
   *
   * @param line the 1-based line of its {@code Count} line
   * @param parameters the bracketed parameters in force (e.g. {@code IVlen -> 96})
   * @param count the value of its {@code Count}
   * @param fields its {@code Name = value} lines other than {@code Count}, in order
   * @param fail whether it carries a bare {@code FAIL} line
   */
  public record Entry(int line, Map<String, String> parameters, int count, Map<String, String> fields, boolean fail) {
    public Entry {
      parameters = Map.copyOf(parameters);
      fields = Map.copyOf(fields);
    }

    /** The hex field {@code name} as bytes. */
    public byte[] bytes(String field) {
      String value = fields.get(field);
      if (value == null) {
        throw new IllegalStateException("entry at line " + line + " has no field '" + field + "'; it has " + fields.keySet());
      }
      return HEX.parseHex(value);
    }

    public boolean has(String field) {
      return fields.containsKey(field);
    }

    /** The integer bracketed parameter {@code name}. */
    public int parameter(String name) {
      String value = parameters.get(name);
      if (value == null) {
        throw new IllegalStateException("entry at line " + line + " has no parameter '" + name + "'; it has " + parameters.keySet());
      }
      return Integer.parseInt(value);
    }

    /** A stable id for reports, e.g. {@code [IVlen=96, Taglen=128] Count=3 (line 120)}. */
    public String id() {
      StringBuilder id = new StringBuilder("[");
      parameters.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(p -> id.append(id.length() > 1 ? ", " : "").append(p.getKey()).append('=').append(p.getValue()));
      return id.append("] Count=").append(count).append(" (line ").append(line).append(')').toString();
    }
  }

  /** Counts the lines that open an entry ({@code Count =}, any case), without parsing. */
  public static int countEntryLines(String text) {
    Matcher matcher = COUNT_LINE.matcher(text);
    int count = 0;
    while (matcher.find()) {
      count++;
    }
    return count;
  }

  /**
   * Parses {@code content} (US-ASCII).
   *
   * @throws IllegalArgumentException naming the file and line of anything malformed
   */
  public static CavpFile parse(String name, byte[] content) {
    String text = new String(content, StandardCharsets.US_ASCII);
    String[] lines = text.split("\r\n|\n|\r", -1);
    List<Entry> entries = new ArrayList<>();
    Map<String, String> parameters = new LinkedHashMap<>();
    boolean entriesSinceParameters = false;
    Builder current = null;
    for (int i = 0; i < lines.length; i++) {
      int lineNumber = i + 1;
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        current = finish(current, entries);
        continue;
      }
      if (line.startsWith("[")) {
        current = finish(current, entries);
        Matcher parameter = PARAMETER.matcher(line);
        if (!parameter.matches()) {
          throw error(name, lineNumber, "malformed parameter line: " + line);
        }
        if (entriesSinceParameters) {
          parameters = new LinkedHashMap<>();
          entriesSinceParameters = false;
        }
        parameters.put(parameter.group(1), parameter.group(2) == null ? "" : parameter.group(2));
        continue;
      }
      if (line.equals("FAIL")) {
        if (current == null) {
          throw error(name, lineNumber, "FAIL outside an entry");
        }
        if (current.fail) {
          throw error(name, lineNumber, "second FAIL in one entry");
        }
        current.fail = true;
        continue;
      }
      Matcher assignment = ASSIGNMENT.matcher(line);
      if (!assignment.matches()) {
        throw error(name, lineNumber, "unrecognised line: " + line);
      }
      String field = assignment.group(1);
      String value = assignment.group(2).strip();
      if (field.equalsIgnoreCase("count")) {
        current = finish(current, entries);
        try {
          current = new Builder(lineNumber, parameters, Integer.parseInt(value));
        } catch (NumberFormatException e) {
          throw error(name, lineNumber, "Count is not an integer: " + value);
        }
        entriesSinceParameters = true;
        continue;
      }
      if (current == null) {
        throw error(name, lineNumber, "'" + field + "' outside an entry (no Count line before it)");
      }
      if (current.fields.putIfAbsent(field, value) != null) {
        throw error(name, lineNumber, "field '" + field + "' appears twice in one entry");
      }
    }
    finish(current, entries);
    return new CavpFile(name, countEntryLines(text), entries);
  }

  private static Builder finish(Builder current, List<Entry> entries) {
    if (current != null) {
      entries.add(new Entry(current.line, current.parameters, current.count, current.fields, current.fail));
    }
    return null;
  }

  private static IllegalArgumentException error(String file, int line, String problem) {
    return new IllegalArgumentException(file + ":" + line + ": " + problem);
  }

  private static final class Builder {
    final int line;
    final Map<String, String> parameters;
    final int count;
    final Map<String, String> fields = new LinkedHashMap<>();
    boolean fail;

    Builder(int line, Map<String, String> parameters, int count) {
      this.line = line;
      this.parameters = Map.copyOf(parameters);
      this.count = count;
    }
  }
}
