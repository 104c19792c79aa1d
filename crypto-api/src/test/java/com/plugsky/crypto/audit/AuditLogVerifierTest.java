package com.plugsky.crypto.audit;

import static com.plugsky.crypto.audit.TestLogs.lines;
import static com.plugsky.crypto.audit.TestLogs.parse;
import static com.plugsky.crypto.audit.TestLogs.read;
import static com.plugsky.crypto.audit.TestLogs.reseal;
import static com.plugsky.crypto.audit.TestLogs.write;
import static com.plugsky.crypto.audit.TestLogs.writeLines;
import static com.plugsky.crypto.audit.TestLogs.writeLog;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.audit.AuditLogVerifier.Problem;
import com.plugsky.crypto.audit.AuditLogVerifier.Result;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AuditLogVerifierTest {
  private static final int N = 10;

  @TempDir Path dir;

  private Path log() {
    return dir.resolve("audit.jsonl");
  }

  private static void assertBroken(Result r, long badLine, Problem problem) {
    assertThat(r.intact()).as(r.detail()).isFalse();
    assertThat(r.firstBadLine()).as(r.detail()).hasValue(badLine);
    assertThat(r.problem()).as(r.detail()).contains(problem);
    assertThat(r.linesChecked()).as(r.detail()).isEqualTo(Math.min(badLine - 1, N));
    assertThat(r.detail()).startsWith("line " + badLine + ": ");
  }

  @Test
  void intactLogVerifiesWithItsLineCount() {
    writeLog(log(), N);

    Result r = AuditLogVerifier.verify(log());

    assertThat(r.intact()).as(r.detail()).isTrue();
    assertThat(r.linesChecked()).isEqualTo(N);
    assertThat(r.firstBadLine()).isEmpty();
    assertThat(r.problem()).isEmpty();
  }

  @Test
  void emptyFileIsAnIntactEmptyLog() throws Exception {
    Files.createFile(log());

    assertThat(AuditLogVerifier.verify(log()).linesChecked()).isZero();
    assertThat(AuditLogVerifier.verify(log()).intact()).isTrue();
    assertThat(AuditLogVerifier.verify(log(), AuditLine.GENESIS).intact()).isTrue();
    assertBroken(AuditLogVerifier.verify(log(), "ab".repeat(32)), 1, Problem.ANCHOR_MISMATCH);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, N})
  void editedByteIsReportedOnItsLine(int k) {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    byte[] line = lines.get(k - 1);
    int at = new String(line, UTF_8).indexOf("\"backend\":\"aws-kms\"") + "\"backend\":\"".length();
    assertThat(line[at]).isEqualTo((byte) 'a');
    line[at] = 'b';
    writeLines(log(), lines);

    Result r = AuditLogVerifier.verify(log());

    assertBroken(r, k, Problem.EDITED);
    assertThat(r.detail()).contains("hash does not match");
  }

  @Test
  void editedHashFieldIsReportedOnItsLine() {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    byte[] line = lines.get(3);
    int last = line.length - 3;
    line[last] = (byte) (line[last] == '0' ? '1' : '0');
    writeLines(log(), lines);

    assertBroken(AuditLogVerifier.verify(log()), 4, Problem.EDITED);
  }

  @Test
  void editThatBreaksTheJsonIsReportedAsMalformedOnItsLine() {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    lines.get(6)[0] = '[';
    writeLines(log(), lines);

    assertBroken(AuditLogVerifier.verify(log()), 7, Problem.MALFORMED);
  }

  @Test
  void addedWhitespaceIsAnEditEvenThoughTheJsonMeansTheSame() {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    lines.set(2, ("{ " + new String(lines.get(2), UTF_8).substring(1)).getBytes(UTF_8));
    writeLines(log(), lines);

    Result r = AuditLogVerifier.verify(log());

    assertBroken(r, 3, Problem.EDITED);
    assertThat(r.detail()).contains("canonical");
  }

  @Test
  void crlfLineEndingsAreAnEdit() {
    writeLog(log(), N);
    write(log(), new String(read(log()), UTF_8).replace("\n", "\r\n").getBytes(UTF_8));

    assertBroken(AuditLogVerifier.verify(log()), 1, Problem.EDITED);
  }

  @Test
  void editWithRecomputedHashIsCaughtByTheNextLinesPrev() {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    var fields = parse(lines.get(4));
    fields.put("principal", "someone-else");
    lines.set(4, reseal(fields));
    writeLines(log(), lines);

    Result r = AuditLogVerifier.verify(log());

    assertBroken(r, 6, Problem.PREV_MISMATCH);
    assertThat(r.detail()).contains("SHA-256 of line 5");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, N - 1})
  void deletedLineIsReportedAtItsPlace(int k) {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    lines.remove(k - 1);
    writeLines(log(), lines);

    Result r = AuditLogVerifier.verify(log());

    assertBroken(r, k, Problem.SEQ_MISMATCH);
    assertThat(r.detail()).contains("seq is " + (k + 1) + ", expected " + k);
  }

  @Test
  void deletedLineWithRenumberedSuccessorIsAPrevMismatch() {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    lines.remove(3);
    var fields = parse(lines.get(3));
    fields.put("seq", 4L);
    lines.set(3, reseal(fields));
    writeLines(log(), lines);

    assertBroken(AuditLogVerifier.verify(log()), 4, Problem.PREV_MISMATCH);
  }

  @Test
  void firstLineMustChainFromZeros() {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    var fields = parse(lines.get(0));
    fields.put("prev", "11".repeat(32));
    lines.set(0, reseal(fields));
    writeLines(log(), lines);

    Result r = AuditLogVerifier.verify(log());

    assertBroken(r, 1, Problem.PREV_MISMATCH);
    assertThat(r.detail()).contains("64 zeros");
  }

  @Test
  void swappedLinesAreReportedAtTheFirstOfThem() {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    Collections.swap(lines, 3, 6);
    writeLines(log(), lines);

    assertBroken(AuditLogVerifier.verify(log()), 4, Problem.SEQ_MISMATCH);
  }

  @Test
  void insertedCopyOfALineIsReported() {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    lines.add(5, lines.get(4).clone());
    writeLines(log(), lines);

    assertBroken(AuditLogVerifier.verify(log()), 6, Problem.SEQ_MISMATCH);
  }

  @Test
  void appendedGarbageLineIsMalformed() {
    writeLog(log(), N);
    List<byte[]> lines = new ArrayList<>(lines(log()));
    lines.add("{\"seq\":11,\"note\":\"not ours\"}".getBytes(UTF_8));
    writeLines(log(), lines);

    Result r = AuditLogVerifier.verify(log());

    assertBroken(r, N + 1, Problem.MALFORMED);
    assertThat(r.detail()).contains("missing field \"timestamp\"");
  }

  @Test
  void appendedEmptyLineIsMalformed() {
    writeLog(log(), N);
    byte[] original = read(log());
    byte[] withBlankLine = Arrays.copyOf(original, original.length + 1);
    withBlankLine[original.length] = '\n';
    write(log(), withBlankLine);

    assertBroken(AuditLogVerifier.verify(log()), N + 1, Problem.MALFORMED);
  }

  @Test
  void invalidUtf8IsMalformed() {
    writeLog(log(), N);
    List<byte[]> lines = lines(log());
    byte[] line = lines.get(1);
    int at = new String(line, UTF_8).indexOf("svc-");
    line[at] = (byte) 0xC3;
    writeLines(log(), lines);

    Result r = AuditLogVerifier.verify(log());

    assertBroken(r, 2, Problem.MALFORMED);
    assertThat(r.detail()).contains("UTF-8");
  }

  @Test
  void lastLineCutMidwayIsATruncatedLine() {
    writeLog(log(), N);
    byte[] all = read(log());
    write(log(), Arrays.copyOf(all, all.length - 40));

    assertBroken(AuditLogVerifier.verify(log()), N, Problem.TRUNCATED_LINE);
  }

  @Test
  void completeLastLineWithoutNewlineIsATruncatedLine() {
    writeLog(log(), N);
    byte[] all = read(log());
    write(log(), Arrays.copyOf(all, all.length - 1));

    assertBroken(AuditLogVerifier.verify(log()), N, Problem.TRUNCATED_LINE);
  }

  @Test
  void removedTailIsInvisibleWithoutAnAnchorAndCaughtWithOne() {
    String anchor = writeLog(log(), N);
    assertThat(AuditLogVerifier.verify(log(), anchor).intact()).isTrue();
    List<byte[]> lines = lines(log());
    writeLines(log(), lines.subList(0, N - 2));

    Result withoutAnchor = AuditLogVerifier.verify(log());
    assertThat(withoutAnchor.intact()).isTrue();
    assertThat(withoutAnchor.linesChecked()).isEqualTo(N - 2);

    Result withAnchor = AuditLogVerifier.verify(log(), anchor.toUpperCase());
    assertThat(withAnchor.intact()).isFalse();
    assertThat(withAnchor.problem()).contains(Problem.ANCHOR_MISMATCH);
    assertThat(withAnchor.firstBadLine()).hasValue(N - 1);
    assertThat(withAnchor.linesChecked()).isEqualTo(N - 2);
  }

  @Test
  void anchorOnAnEarlierLineNamesTheLinesAfterIt() {
    writeLog(log(), N);
    String hashOfLine7 = (String) parse(lines(log()).get(6)).get("hash");

    Result r = AuditLogVerifier.verify(log(), hashOfLine7);

    assertThat(r.problem()).contains(Problem.ANCHOR_MISMATCH);
    assertThat(r.firstBadLine()).hasValue(8);
    assertThat(r.linesChecked()).isEqualTo(N);
    assertThat(r.detail()).contains("line 7").contains("continues to line " + N);
  }

  @Test
  void anchorMustBeHex() {
    writeLog(log(), 1);

    assertThatThrownBy(() -> AuditLogVerifier.verify(log(), "xyz"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void missingFileIsAnIoError() {
    assertThatThrownBy(() -> AuditLogVerifier.verify(dir.resolve("nope.jsonl")))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("nope.jsonl");
  }

  @Test
  void resultRejectsInconsistentComponents() {
    assertThatThrownBy(
            () ->
                new Result(
                    true,
                    1,
                    java.util.OptionalLong.of(1),
                    java.util.Optional.of(Problem.EDITED),
                    "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
