package com.plugsky.crypto.audit;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.plugsky.crypto.audit.AuditLogVerifier.Problem;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The hash-chained JSON line of the audit log: its fields, how an event becomes a line, and how a
 * line is checked. Shared by {@link JsonLinesAuditSink} and {@link AuditLogVerifier} so that the
 * writer and the verifier cannot disagree.
 */
final class AuditLine {
  /** The {@code prev} of the first line. */
  static final String GENESIS = "0".repeat(64);

  /** Longest line the sink writes and the verifier reads, newline excluded. */
  static final int MAX_LINE_BYTES = 64 * 1024;

  /** Every field of a line, in canonical order; {@code hash} is always last. */
  static final List<String> FIELDS =
      List.of(
          "seq",
          "timestamp",
          "operation",
          "keyRef",
          "backend",
          "region",
          "bytes",
          "latencyMicros",
          "outcome",
          "principal",
          "requestId",
          "headerSha256",
          "prev",
          "hash");

  private static final List<String> NUMBER_FIELDS = List.of("seq", "bytes", "latencyMicros");
  private static final List<String> NULLABLE_FIELDS =
      List.of("keyRef", "region", "principal", "requestId", "headerSha256");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
  private static final HexFormat HEX = HexFormat.of();

  private AuditLine() {}

  /**
   * One encoded line.
   *
   * @param text the line without its newline
   * @param utf8 the line's bytes without its newline
   * @param hash the line's {@code hash} field
   * @param digest SHA-256 of {@code utf8}: the next line's {@code prev}
   */
  record Encoded(String text, byte[] utf8, String hash, String digest) {}

  /** A line that passed every check of {@link #decode}. */
  record Decoded(long seq, String prev, String hash, Map<String, Object> fields) {}

  /** Why a line failed {@link #decode}. */
  static final class Defect extends Exception {
    private static final long serialVersionUID = 1L;
    private final Problem problem;

    Defect(Problem problem, String message) {
      super(message);
      this.problem = problem;
    }

    Problem problem() {
      return problem;
    }
  }

  static Encoded encode(long seq, AuditEvent event, String prev) {
    var w = new FlatJson.ObjectWriter().number("seq", seq);
    eventFields(w, event);
    String withoutHash = w.string("prev", prev).end();
    return seal(withoutHash);
  }

  /**
   * Writes the event's own fields, {@code timestamp} to {@code headerSha256}: no key, no plaintext,
   * nothing the event does not carry.
   */
  static FlatJson.ObjectWriter eventFields(FlatJson.ObjectWriter w, AuditEvent e) {
    return w.string("timestamp", e.timestamp().toString())
        .string("operation", e.operation().name())
        .string("keyRef", e.keyRef())
        .string("backend", e.backend())
        .string("region", e.region())
        .number("bytes", e.bytes())
        .number("latencyMicros", TimeUnit.MICROSECONDS.convert(e.latency()))
        .string("outcome", e.outcome().name())
        .string("principal", e.principal())
        .string("requestId", e.requestId())
        .string("headerSha256", e.headerSha256());
  }

  /**
   * Checks one line (newline excluded) on its own: UTF-8, strict JSON, the exact field set and
   * types, canonical form, and that {@code hash} matches the content. Sequence and chain are the
   * caller's to check.
   */
  static Decoded decode(byte[] line) throws Defect {
    if (line.length > MAX_LINE_BYTES) {
      throw new Defect(Problem.MALFORMED, "line longer than " + MAX_LINE_BYTES + " bytes");
    }
    String text;
    try {
      text =
          UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(line))
              .toString();
    } catch (CharacterCodingException e) {
      throw new Defect(Problem.MALFORMED, "line is not valid UTF-8");
    }
    Map<String, Object> fields;
    try {
      fields = FlatJson.parseObject(text);
    } catch (FlatJson.MalformedJsonException e) {
      throw new Defect(Problem.MALFORMED, "invalid JSON: " + e.getMessage());
    }
    checkSchema(fields);

    var canonical = new FlatJson.ObjectWriter();
    for (String name : FIELDS.subList(0, FIELDS.size() - 1)) {
      canonical.value(name, fields.get(name));
    }
    String withoutHash = canonical.end();
    String claimedHash = (String) fields.get("hash");
    String canonicalLine = withHash(withoutHash, claimedHash);
    if (!canonicalLine.equals(text)) {
      throw new Defect(
          Problem.EDITED, "line is not in canonical form (whitespace, field order or escaping)");
    }
    if (!sha256Hex(withoutHash.getBytes(UTF_8)).equals(claimedHash)) {
      throw new Defect(Problem.EDITED, "hash does not match the line's content");
    }
    return new Decoded((Long) fields.get("seq"), (String) fields.get("prev"), claimedHash, fields);
  }

  private static void checkSchema(Map<String, Object> fields) throws Defect {
    for (String name : FIELDS) {
      if (!fields.containsKey(name)) {
        throw new Defect(Problem.MALFORMED, "missing field \"" + name + "\"");
      }
    }
    for (String name : fields.keySet()) {
      if (!FIELDS.contains(name)) {
        throw new Defect(Problem.MALFORMED, "unexpected field \"" + name + "\"");
      }
    }
    for (String name : FIELDS) {
      Object value = fields.get(name);
      boolean ok;
      if (NUMBER_FIELDS.contains(name)) {
        ok = value instanceof Long;
      } else if (NULLABLE_FIELDS.contains(name)) {
        ok = value == null || value instanceof String;
      } else {
        ok = value instanceof String;
      }
      if (!ok) {
        throw new Defect(Problem.MALFORMED, "field \"" + name + "\" has the wrong type");
      }
    }
    if ((Long) fields.get("seq") < 1) {
      throw new Defect(Problem.MALFORMED, "seq must be at least 1");
    }
    String timestamp = (String) fields.get("timestamp");
    boolean instant;
    try {
      instant = Instant.parse(timestamp).toString().equals(timestamp);
    } catch (DateTimeException e) {
      instant = false;
    }
    if (!instant) {
      throw new Defect(Problem.MALFORMED, "timestamp is not an ISO-8601 UTC instant as written");
    }
    for (String name : List.of("prev", "hash")) {
      if (!SHA256_HEX.matcher((String) fields.get(name)).matches()) {
        throw new Defect(Problem.MALFORMED, name + " is not 64 lowercase hex digits");
      }
    }
  }

  private static Encoded seal(String withoutHash) {
    String hash = sha256Hex(withoutHash.getBytes(UTF_8));
    String text = withHash(withoutHash, hash);
    byte[] utf8 = text.getBytes(UTF_8);
    if (utf8.length > MAX_LINE_BYTES) {
      throw new IllegalArgumentException(
          "audit event too large: its line would exceed " + MAX_LINE_BYTES + " bytes");
    }
    return new Encoded(text, utf8, hash, sha256Hex(utf8));
  }

  private static String withHash(String withoutHash, String hash) {
    return withoutHash.substring(0, withoutHash.length() - 1) + ",\"hash\":\"" + hash + "\"}";
  }

  static String sha256Hex(byte[] data) {
    try {
      return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
