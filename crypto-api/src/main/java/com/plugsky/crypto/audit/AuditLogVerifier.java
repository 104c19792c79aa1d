package com.plugsky.crypto.audit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Checks a log written by {@link JsonLinesAuditSink} and reports either that it is intact or the
 * first line where it is not.
 *
 * <p>Each line is checked on its own (strict JSON, exact field set, canonical form, {@code hash}
 * over its content), then against its predecessor ({@code seq} one higher, {@code prev} equal to
 * the SHA-256 of the previous line's bytes; 64 zeros and {@code seq} 1 for the first line). So an
 * edited, deleted, inserted or reordered line is reported at the first line where the file stops
 * being consistent.
 *
 * <p><b>What the file alone cannot show.</b> The chain is made of plain hashes, not a MAC or
 * signature: it detects accidents and edits by someone who does not also rewrite every later line.
 * Removing the last N lines leaves a shorter file that is perfectly consistent, and someone who can
 * write the file can rewrite its tail and recompute the hashes. To detect that, store the sink's
 * {@link JsonLinesAuditSink#lastHash()} somewhere the log's writers cannot change (another system,
 * a WORM bucket, a ticket) and pass it to {@link #verify(Path, String)}.
 */
public final class AuditLogVerifier {
  private static final Pattern ANCHOR = Pattern.compile("[0-9a-f]{64}");

  private AuditLogVerifier() {}

  /** Kinds of problem, in the order a line is checked. */
  public enum Problem {
    /** Not UTF-8, not strict JSON, a missing or unexpected field, a wrong type, an empty line. */
    MALFORMED,
    /** The last line has no newline: the writer was interrupted or the file was cut mid-line. */
    TRUNCATED_LINE,
    /** The line's content does not match its own {@code hash}, or it is not in canonical form. */
    EDITED,
    /** {@code seq} is not one more than the previous line's: a line was removed or moved. */
    SEQ_MISMATCH,
    /** {@code prev} is not the SHA-256 of the line before: one was removed, moved or rewritten. */
    PREV_MISMATCH,
    /** The last line's {@code hash} is not the expected anchor: the tail was cut or extended. */
    ANCHOR_MISMATCH
  }

  /**
   * The outcome of a verification.
   *
   * @param intact whether every line checked out (and the anchor matched, when one was given)
   * @param linesChecked how many lines were found sound before the first problem; all of them when
   *     intact
   * @param firstBadLine 1-based number of the first bad line; for {@link Problem#ANCHOR_MISMATCH}
   *     the first line after the anchor, or one past the end when the anchor's line is missing
   * @param problem the kind of the first problem, empty when intact
   * @param detail a sentence for humans (never contains line content)
   */
  public record Result(
      boolean intact,
      long linesChecked,
      OptionalLong firstBadLine,
      Optional<Problem> problem,
      String detail) {
    public Result {
      Objects.requireNonNull(firstBadLine, "firstBadLine");
      Objects.requireNonNull(problem, "problem");
      Objects.requireNonNull(detail, "detail");
      if (intact == firstBadLine.isPresent() || intact == problem.isPresent()) {
        throw new IllegalArgumentException(
            "an intact result has no bad line and no problem; a broken one has both");
      }
    }

    static Result ok(long lines) {
      return new Result(
          true, lines, OptionalLong.empty(), Optional.empty(), "intact: " + lines + " lines");
    }

    static Result broken(long linesChecked, long badLine, Problem problem, String detail) {
      return new Result(
          false,
          linesChecked,
          OptionalLong.of(badLine),
          Optional.of(problem),
          "line " + badLine + ": " + detail);
    }
  }

  /** Verifies the whole file. Cannot detect lines removed from the end; see the class comment. */
  public static Result verify(Path file) {
    return verify(file, Optional.empty());
  }

  /**
   * Verifies the whole file and that its last line's {@code hash} is {@code expectedLastHash}, as
   * returned by {@link JsonLinesAuditSink#lastHash()} (64 zeros for a log that should be empty).
   *
   * @throws IllegalArgumentException if {@code expectedLastHash} is not 64 hex digits
   */
  public static Result verify(Path file, String expectedLastHash) {
    Objects.requireNonNull(expectedLastHash, "expectedLastHash");
    String anchor = expectedLastHash.toLowerCase(Locale.ROOT);
    if (!ANCHOR.matcher(anchor).matches()) {
      throw new IllegalArgumentException("expectedLastHash must be 64 hex digits");
    }
    return verify(file, Optional.of(anchor));
  }

  private static Result verify(Path file, Optional<String> anchor) {
    Objects.requireNonNull(file, "file");
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024)) {
      return verify(in, anchor);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read audit log " + file, e);
    }
  }

  private static Result verify(InputStream in, Optional<String> anchor) throws IOException {
    var reader = new LineReader(in);
    long lineNo = 0;
    long expectedSeq = 1;
    String expectedPrev = AuditLine.GENESIS;
    long anchorLine = anchor.filter(AuditLine.GENESIS::equals).isPresent() ? 0 : -1;
    byte[] line;
    while ((line = reader.next()) != null) {
      lineNo++;
      long sound = lineNo - 1;
      if (reader.overlong()) {
        return Result.broken(
            sound, lineNo, Problem.MALFORMED, "longer than " + AuditLine.MAX_LINE_BYTES + " bytes");
      }
      if (!reader.terminated()) {
        return Result.broken(
            sound, lineNo, Problem.TRUNCATED_LINE, "last line is incomplete (no newline)");
      }
      AuditLine.Decoded decoded;
      try {
        decoded = AuditLine.decode(line);
      } catch (AuditLine.Defect d) {
        return Result.broken(sound, lineNo, d.problem(), d.getMessage());
      }
      if (decoded.seq() != expectedSeq) {
        return Result.broken(
            sound,
            lineNo,
            Problem.SEQ_MISMATCH,
            "seq is " + decoded.seq() + ", expected " + expectedSeq);
      }
      if (!decoded.prev().equals(expectedPrev)) {
        return Result.broken(
            sound,
            lineNo,
            Problem.PREV_MISMATCH,
            lineNo == 1
                ? "the first line's prev must be 64 zeros"
                : "prev is not the SHA-256 of line " + (lineNo - 1));
      }
      expectedSeq++;
      expectedPrev = AuditLine.sha256Hex(line);
      if (anchor.isPresent() && anchor.get().equals(decoded.hash())) {
        anchorLine = lineNo;
      }
    }
    if (anchor.isPresent() && anchorLine != lineNo) {
      return anchorLine < 0
          ? Result.broken(
              lineNo,
              lineNo + 1,
              Problem.ANCHOR_MISMATCH,
              "no line carries the expected last hash: lines were removed from the end, or the"
                  + " anchor belongs to another log")
          : Result.broken(
              lineNo,
              anchorLine + 1,
              Problem.ANCHOR_MISMATCH,
              "the expected last hash is on line "
                  + anchorLine
                  + " but the log continues to line "
                  + lineNo);
    }
    return Result.ok(lineNo);
  }

  /** Splits a stream on '\n', keeping at most one line (bounded) in memory. */
  private static final class LineReader {
    private final InputStream in;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
    private boolean terminated;
    private boolean overlong;

    LineReader(InputStream in) {
      this.in = in;
    }

    /** The next line without its newline, or null at the end of the stream. */
    byte[] next() throws IOException {
      buf.reset();
      overlong = false;
      int b;
      while ((b = in.read()) >= 0) {
        if (b == '\n') {
          terminated = true;
          return buf.toByteArray();
        }
        if (buf.size() > AuditLine.MAX_LINE_BYTES) {
          overlong = true;
          terminated = true;
          return buf.toByteArray();
        }
        buf.write(b);
      }
      terminated = false;
      return buf.size() == 0 ? null : buf.toByteArray();
    }

    boolean terminated() {
      return terminated;
    }

    boolean overlong() {
      return overlong;
    }
  }
}
