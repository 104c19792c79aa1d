package com.plugsky.crypto.conformance.vectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One Project Wycheproof {@code testvectors_v1} file, parsed: top-level {@code algorithm} and
 * {@code numberOfTests}, then {@code testGroups[]} each holding shared parameters and {@code
 * tests[]}.
 *
 * @param name the file name, for reports
 * @param algorithm the file's {@code algorithm}
 * @param declaredCount the file's {@code numberOfTests}
 * @param cases every test of every group, in file order
 */
public record WycheproofFile(String name, String algorithm, int declaredCount, List<Case> cases) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HexFormat HEX = HexFormat.of();

  public WycheproofFile {
    Objects.requireNonNull(name, "name");
    cases = List.copyOf(cases);
  }

  /** What a test expects: Wycheproof's {@code result}. */
  public enum Result {
    VALID,
    INVALID,
    ACCEPTABLE
  }

  /**
   * One test with the group it belongs to.
   *
   * @param group the test group (its parameters, e.g. {@code keySize}, {@code ivSize}, {@code tagSize})
   * @param test the test itself
   */
  public record Case(int tcId, String comment, List<String> flags, Result result, JsonNode group, JsonNode test) {
    public Case {
      flags = List.copyOf(flags);
    }

    /** The hex string field {@code name} of the test as bytes. */
    public byte[] bytes(String field) {
      return HEX.parseHex(text(test, field));
    }

    /** The integer field {@code name} of the test. */
    public int testInt(String field) {
      return integer(test, field);
    }

    /** The integer field {@code name} of the group (e.g. {@code tagSize}). */
    public int groupInt(String field) {
      return integer(group, field);
    }

    public String id() {
      return "tcId " + tcId + (comment.isEmpty() ? "" : " (" + comment + ")") + (flags.isEmpty() ? "" : " " + flags);
    }

    private String text(JsonNode node, String field) {
      JsonNode value = node.get(field);
      if (value == null || !value.isTextual()) {
        throw new IllegalStateException("tcId " + tcId + " has no text field '" + field + "'");
      }
      return value.asText();
    }

    private int integer(JsonNode node, String field) {
      JsonNode value = node.get(field);
      if (value == null || !value.canConvertToInt()) {
        throw new IllegalStateException("tcId " + tcId + " has no integer field '" + field + "'");
      }
      return value.asInt();
    }
  }

  /**
   * Parses {@code content}.
   *
   * @throws IllegalArgumentException when the JSON lacks the fields every Wycheproof file has, a
   *     result is unknown, or a {@code tcId} repeats
   */
  public static WycheproofFile parse(String name, byte[] content) {
    JsonNode root;
    try {
      root = JSON.readTree(content);
    } catch (IOException e) {
      throw new UncheckedIOException(name + ": not JSON", e);
    }
    JsonNode declared = root.get("numberOfTests");
    JsonNode groups = root.get("testGroups");
    if (declared == null || !declared.canConvertToInt() || groups == null || !groups.isArray()) {
      throw new IllegalArgumentException(name + ": missing numberOfTests or testGroups[]");
    }
    List<Case> cases = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (JsonNode group : groups) {
      JsonNode tests = group.get("tests");
      if (tests == null || !tests.isArray()) {
        throw new IllegalArgumentException(name + ": a test group has no tests[]");
      }
      for (JsonNode test : tests) {
        int tcId = test.path("tcId").asInt(-1);
        if (tcId < 0 || !seen.add(tcId)) {
          throw new IllegalArgumentException(name + ": missing or repeated tcId " + tcId);
        }
        List<String> flags = new ArrayList<>();
        test.path("flags").forEach(flag -> flags.add(flag.asText()));
        cases.add(new Case(tcId, test.path("comment").asText(""), flags, result(name, tcId, test), group, test));
      }
    }
    return new WycheproofFile(name, root.path("algorithm").asText(""), declared.asInt(), cases);
  }

  private static Result result(String name, int tcId, JsonNode test) {
    String result = test.path("result").asText("");
    return switch (result) {
      case "valid" -> Result.VALID;
      case "invalid" -> Result.INVALID;
      case "acceptable" -> Result.ACCEPTABLE;
      default -> throw new IllegalArgumentException(name + ": tcId " + tcId + " has unknown result '" + result + "'");
    };
  }
}
