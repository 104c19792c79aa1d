package com.plugsky.crypto.audit;

import static com.plugsky.crypto.audit.TestLogs.event;
import static com.plugsky.crypto.audit.TestLogs.lines;
import static com.plugsky.crypto.audit.TestLogs.parse;
import static com.plugsky.crypto.audit.TestLogs.read;
import static com.plugsky.crypto.audit.TestLogs.write;
import static com.plugsky.crypto.audit.TestLogs.writeLog;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesAuditSinkTest {
  @TempDir Path dir;

  private Path log() {
    return dir.resolve("audit.jsonl");
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private static AuditEvent wrapEvent(String principal) {
    return new AuditEvent(
        Instant.parse("2025-06-01T12:00:00.123456Z"),
        Operation.WRAP,
        Optional.of("pkcs11:token=prod;object=kek-1"),
        "sunpkcs11",
        Optional.empty(),
        32,
        Duration.ofNanos(1_234_567),
        Outcome.SUCCESS,
        Optional.ofNullable(principal),
        Optional.of("req-42"),
        Optional.empty());
  }

  @Test
  void writesTheDocumentedLineFormat() throws Exception {
    try (var sink = JsonLinesAuditSink.open(log())) {
      sink.record(wrapEvent("svc-orders"));
      sink.record(wrapEvent(null));
    }
    List<byte[]> lines = lines(log());
    assertThat(lines).hasSize(2);

    String body1 =
        "{\"seq\":1,\"timestamp\":\"2025-06-01T12:00:00.123456Z\",\"operation\":\"WRAP\","
            + "\"keyRef\":\"pkcs11:token=prod;object=kek-1\",\"backend\":\"sunpkcs11\","
            + "\"region\":null,\"bytes\":32,\"latencyMicros\":1234,\"outcome\":\"SUCCESS\","
            + "\"principal\":\"svc-orders\",\"requestId\":\"req-42\",\"headerSha256\":null,"
            + "\"prev\":\"" + "0".repeat(64) + "\"}";
    String line1 =
        body1.substring(0, body1.length() - 1)
            + ",\"hash\":\"" + sha256(body1.getBytes(UTF_8)) + "\"}";
    assertThat(new String(lines.get(0), UTF_8)).isEqualTo(line1);

    Map<String, Object> second = parse(lines.get(1));
    assertThat(second.get("seq")).isEqualTo(2L);
    assertThat(second.get("principal")).isNull();
    assertThat(second.get("prev")).isEqualTo(sha256(line1.getBytes(UTF_8)));
    assertThat(read(log())[read(log()).length - 1]).isEqualTo((byte) '\n');
  }

  @Test
  void manyEventsVerifyAndLastHashIsTheLastLinesHash() {
    try (var sink = JsonLinesAuditSink.open(log())) {
      assertThat(sink.lastSeq()).isZero();
      assertThat(sink.lastHash()).isEqualTo("0".repeat(64));
      for (int i = 1; i <= 200; i++) {
        sink.record(event(i));
      }
      assertThat(sink.lastSeq()).isEqualTo(200);
      assertThat(sink.lastHash()).isEqualTo(parse(lines(log()).get(199)).get("hash"));
    }

    var r = AuditLogVerifier.verify(log());
    assertThat(r.intact()).as(r.detail()).isTrue();
    assertThat(r.linesChecked()).isEqualTo(200);
  }

  @Test
  void reopeningContinuesSeqAndChain() {
    String firstAnchor = writeLog(log(), 3);

    try (var sink = JsonLinesAuditSink.open(log(), true)) {
      assertThat(sink.lastSeq()).isEqualTo(3);
      assertThat(sink.lastHash()).isEqualTo(firstAnchor);
      sink.record(event(4));
      sink.record(event(5));
    }

    List<byte[]> lines = lines(log());
    assertThat(lines).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(parse(lines.get(i)).get("seq")).isEqualTo(i + 1L);
    }
    var r = AuditLogVerifier.verify(log());
    assertThat(r.intact()).as(r.detail()).isTrue();
    assertThat(r.linesChecked()).isEqualTo(5);
  }

  @Test
  void refusesToAppendAfterAnIncompleteLastLine() {
    writeLog(log(), 3);
    byte[] all = read(log());
    write(log(), Arrays.copyOf(all, all.length - 10));

    assertThatThrownBy(() -> JsonLinesAuditSink.open(log()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("incomplete line");
    assertThat(read(log())).hasSize(all.length - 10);
  }

  @Test
  void refusesToAppendAfterAnEditedLastLine() {
    writeLog(log(), 3);
    byte[] all = read(log());
    String text = new String(all, UTF_8);
    int at = text.lastIndexOf("\"bytes\":") + "\"bytes\":".length();
    all[at] = (byte) (all[at] == '9' ? '8' : '9');
    write(log(), all);

    assertThatThrownBy(() -> JsonLinesAuditSink.open(log()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("damaged line")
        .hasMessageContaining("hash does not match");
  }

  @Test
  void onlyOneSinkMayHoldTheFile() {
    try (var sink = JsonLinesAuditSink.open(log())) {
      sink.record(event(1));
      assertThatThrownBy(() -> JsonLinesAuditSink.open(log()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already open");
    }
    try (var again = JsonLinesAuditSink.open(log())) {
      assertThat(again.lastSeq()).isEqualTo(1);
    }
  }

  @Test
  void closedSinkRefusesEventsAndCloseIsIdempotent() {
    var sink = JsonLinesAuditSink.open(log());
    sink.close();
    sink.close();

    assertThatThrownBy(() -> sink.record(event(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void eightConcurrentWritersProduceOneValidChainWithEveryEvent() throws Exception {
    int threads = 8;
    int perThread = 250;
    var start = new CountDownLatch(1);
    try (var sink = JsonLinesAuditSink.open(log());
        ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      var futures = new ArrayList<Future<?>>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    sink.record(withRequestId(event(i), "t" + thread + "-" + i));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get();
      }
    }

    var r = AuditLogVerifier.verify(log());
    assertThat(r.intact()).as(r.detail()).isTrue();
    assertThat(r.linesChecked()).isEqualTo(threads * perThread);
    Set<Object> requestIds = new HashSet<>();
    for (byte[] line : lines(log())) {
      requestIds.add(parse(line).get("requestId"));
    }
    assertThat(requestIds).hasSize(threads * perThread).contains("t0-0", "t7-249");
  }

  private static AuditEvent withRequestId(AuditEvent e, String requestId) {
    return new AuditEvent(
        e.timestamp(),
        e.operation(),
        e.keyRef(),
        e.backend(),
        e.region(),
        e.bytes(),
        e.latency(),
        e.outcome(),
        e.principal(),
        Optional.of(requestId),
        e.headerSha256());
  }

  @Test
  void trickyStringsStayOnOneLineAndRoundTripThroughTheVerifiersReader() {
    List<String> tricky =
        List.of(
            "quote\" and backslash\\ and slash/",
            "line\nbreak\r\nand\ttab",
            "nul\u0000 bell\u0007 esc\u001b[31m del\u007f c1\u009b",
            "caf\u00e9 \u4e2d\u6587 \ud83d\udd11 emoji",
            "separators\u2028\u2029",
            "lone \ud800 high and \udc00 low",
            "{\"seq\":1}",
            "");
    try (var sink = JsonLinesAuditSink.open(log())) {
      for (String s : tricky) {
        sink.record(
            new AuditEvent(
                TestLogs.T0,
                Operation.UNWRAP,
                Optional.of("vault-transit:" + s),
                "vault",
                Optional.empty(),
                0,
                Duration.ZERO,
                Outcome.SUCCESS,
                Optional.of(s),
                Optional.of(s),
                Optional.empty()));
      }
    }

    var r = AuditLogVerifier.verify(log());
    assertThat(r.intact()).as(r.detail()).isTrue();
    assertThat(r.linesChecked()).isEqualTo(tricky.size());
    List<byte[]> lines = lines(log());
    for (int i = 0; i < tricky.size(); i++) {
      Map<String, Object> fields = parse(lines.get(i));
      assertThat(fields.get("principal")).isEqualTo(tricky.get(i));
      assertThat(fields.get("requestId")).isEqualTo(tricky.get(i));
      assertThat(fields.get("keyRef")).isEqualTo("vault-transit:" + tricky.get(i));
    }
    String text = new String(read(log()), UTF_8);
    assertThat(text)
        .contains("\"principal\":\"quote\\\" and backslash\\\\ and slash/\"")
        .contains("line\\nbreak\\r\\nand\\ttab")
        .contains("nul\\u0000 bell\\u0007 esc\\u001b[31m del\\u007f c1\\u009b")
        .contains("caf\u00e9 \u4e2d\u6587 \ud83d\udd11 emoji")
        .contains("separators\\u2028\\u2029")
        .contains("lone \\ud800 high and \\udc00 low");
    byte[] cafe = "caf\u00e9".getBytes(UTF_8);
    assertThat(cafe).containsSequence((byte) 0xC3, (byte) 0xA9);
    assertThat(indexOf(read(log()), cafe)).isPositive();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void streamAndWriterTargetsWriteTheSameVerifiableBytes() throws Exception {
    var bytes = new ByteArrayOutputStream();
    try (var sink = JsonLinesAuditSink.to(bytes)) {
      for (int i = 1; i <= 5; i++) {
        sink.record(event(i));
      }
    }
    var viaWriter = new ByteArrayOutputStream();
    try (var sink = JsonLinesAuditSink.to(new OutputStreamWriter(viaWriter, UTF_8))) {
      for (int i = 1; i <= 5; i++) {
        sink.record(event(i));
      }
    }

    assertThat(viaWriter.toByteArray()).isEqualTo(bytes.toByteArray());
    write(log(), bytes.toByteArray());
    var r = AuditLogVerifier.verify(log());
    assertThat(r.intact()).as(r.detail()).isTrue();
    assertThat(r.linesChecked()).isEqualTo(5);
  }

  @Test
  void streamFailureIsReportedAndStopsTheSink() {
    var failing =
        new OutputStream() {
          int writes;

          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (++writes > 1) {
              throw new IOException("disk full");
            }
          }
        };
    var sink = JsonLinesAuditSink.to(failing);
    sink.record(event(1));

    assertThatThrownBy(() -> sink.record(event(2)))
        .isInstanceOf(UncheckedIOException.class)
        .hasRootCauseMessage("disk full");
    assertThatThrownBy(() -> sink.record(event(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("write failed");
    assertThat(sink.lastSeq()).isEqualTo(1);
  }

  @Test
  void oversizedEventIsRejectedWithoutTouchingTheLog() {
    try (var sink = JsonLinesAuditSink.open(log())) {
      sink.record(event(1));
      String huge = "x".repeat(AuditLine.MAX_LINE_BYTES);
      assertThatThrownBy(() -> sink.record(wrapEvent(huge)))
          .isInstanceOf(IllegalArgumentException.class);
      sink.record(event(2));
    }

    var r = AuditLogVerifier.verify(log());
    assertThat(r.intact()).as(r.detail()).isTrue();
    assertThat(r.linesChecked()).isEqualTo(2);
  }
}
