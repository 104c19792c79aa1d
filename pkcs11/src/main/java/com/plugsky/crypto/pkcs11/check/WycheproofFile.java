package com.plugsky.crypto.pkcs11.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A Project Wycheproof test vector file (see {@code wycheproof/SOURCES.md} among this package's
 * resources): the number of tests it declares and every test with its group, read in file order.
 */
final class WycheproofFile {
  private static final HexFormat HEX = HexFormat.of();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String name;
  private final int declared;
  private final List<Case> cases;

  private WycheproofFile(String name, int declared, List<Case> cases) {
    this.name = name;
    this.declared = declared;
    this.cases = List.copyOf(cases);
  }

  /** One test and the group that holds its shared parameters. */
  record Case(int tcId, String result, JsonNode group, JsonNode test) {
    boolean valid() {
      return result.equals("valid");
    }

    /** The test's hex field {@code field} as bytes. */
    byte[] bytes(String field) {
      return hex(test, field);
    }

    /** The group's integer field {@code field}, e.g. {@code keySize}. */
    int groupInt(String field) {
      JsonNode value = group.get(field);
      if (value == null || !value.canConvertToInt()) {
        throw new IllegalArgumentException("group field " + field + " is not an integer");
      }
      return value.intValue();
    }
  }

  /** What the HSM did with one case. */
  record Verdict(Kind kind, String reason) {
    enum Kind {
      PASS,
      SKIP,
      FAIL
    }

    static final Verdict PASS = new Verdict(Kind.PASS, "");
    static final Verdict SKIP = new Verdict(Kind.SKIP, "");

    static Verdict fail(String reason) {
      return new Verdict(Kind.FAIL, reason);
    }
  }

  /** Runs one case through the HSM; an exception fails the case, not the file. */
  @FunctionalInterface
  interface CaseCheck {
    Verdict check(Case c) throws Exception;
  }

  /** The file {@code name} among this package's {@code wycheproof/} resources. */
  static WycheproofFile load(String name) {
    try (InputStream in = WycheproofFile.class.getResourceAsStream("wycheproof/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the vector file " + name + " is missing from the jar");
      }
      return parse(name, in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the vector file " + name, e);
    }
  }

  /** Reads a Wycheproof file: {@code numberOfTests} and {@code testGroups[].tests[]}. */
  static WycheproofFile parse(String name, InputStream in) throws IOException {
    Objects.requireNonNull(name, "name");
    JsonNode root = JSON.readTree(in);
    JsonNode declared = root.get("numberOfTests");
    if (declared == null || !declared.canConvertToInt()) {
      throw new IllegalArgumentException(name + " declares no numberOfTests");
    }
    List<Case> cases = new ArrayList<>();
    for (JsonNode group : root.path("testGroups")) {
      for (JsonNode test : group.path("tests")) {
        cases.add(new Case(test.path("tcId").asInt(-1), test.path("result").asText(), group, test));
      }
    }
    return new WycheproofFile(name, declared.intValue(), cases);
  }

  String name() {
    return name;
  }

  int declared() {
    return declared;
  }

  List<Case> cases() {
    return cases;
  }

  /**
   * Runs every case through {@code check} and tallies them; a case the file marks {@code
   * acceptable} counts as skipped whatever the HSM does (either answer is allowed).
   */
  VectorFileResult run(CaseCheck check) {
    int run = 0;
    int skipped = 0;
    List<VectorFileResult.Failure> failures = new ArrayList<>();
    for (Case c : cases) {
      Verdict verdict;
      try {
        verdict = check.check(c);
      } catch (Exception e) {
        verdict = Verdict.fail(e.getClass().getSimpleName() + ": " + e.getMessage());
      }
      if (verdict.kind() == Verdict.Kind.SKIP || c.result().equals("acceptable")) {
        skipped++;
        continue;
      }
      run++;
      if (verdict.kind() == Verdict.Kind.FAIL) {
        failures.add(new VectorFileResult.Failure(c.tcId(), c.result(), verdict.reason()));
      }
    }
    return new VectorFileResult(name, declared, cases.size(), run, skipped, failures);
  }

  static byte[] hex(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("field " + field + " is not a hex string");
    }
    return HEX.parseHex(value.textValue());
  }
}
