package com.plugsky.crypto.audit;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Events and raw line surgery shared by the audit tests. */
final class TestLogs {
  static final Instant T0 = Instant.parse("2025-06-01T12:00:00.123456Z");

  private TestLogs() {}

  static AuditEvent event(int i) {
    return new AuditEvent(
        T0.plusMillis(i),
        Operation.values()[i % Operation.values().length],
        Optional.of("aws-kms:arn:aws:kms:eu-west-1:111122223333:key/k" + i),
        "aws-kms",
        Optional.of("eu-west-1"),
        32 + i,
        Duration.ofNanos(1_500_000L + i * 1000L),
        i % 3 == 0 ? Outcome.KEY_UNAVAILABLE : Outcome.SUCCESS,
        Optional.of("svc-" + i),
        Optional.of("req-" + i),
        i % 2 == 0 ? Optional.empty() : Optional.of("ab".repeat(32)));
  }

  /** Writes events 1..n to a new log at {@code file} and returns the sink's final lastHash. */
  static String writeLog(Path file, int n) {
    try (var sink = JsonLinesAuditSink.open(file)) {
      for (int i = 1; i <= n; i++) {
        sink.record(event(i));
      }
      return sink.lastHash();
    }
  }

  /** The file's lines without their newlines; a missing final newline is not reported. */
  static List<byte[]> lines(Path file) {
    byte[] all = read(file);
    var out = new ArrayList<byte[]>();
    int start = 0;
    for (int i = 0; i < all.length; i++) {
      if (all[i] == '\n') {
        out.add(Arrays.copyOfRange(all, start, i));
        start = i + 1;
      }
    }
    if (start < all.length) {
      out.add(Arrays.copyOfRange(all, start, all.length));
    }
    return out;
  }

  /** Rewrites the file as these lines, each followed by a newline. */
  static void writeLines(Path file, List<byte[]> lines) {
    var out = new ByteArrayOutputStream();
    for (byte[] line : lines) {
      out.writeBytes(line);
      out.write('\n');
    }
    write(file, out.toByteArray());
  }

  static Map<String, Object> parse(byte[] line) {
    try {
      return FlatJson.parseObject(new String(line, UTF_8));
    } catch (FlatJson.MalformedJsonException e) {
      throw new AssertionError(e);
    }
  }

  /** Rebuilds a line from fields (hash recomputed), as a forger who knows the format would. */
  static byte[] reseal(Map<String, Object> fields) {
    var w = new FlatJson.ObjectWriter();
    for (String name : AuditLine.FIELDS.subList(0, AuditLine.FIELDS.size() - 1)) {
      w.value(name, fields.get(name));
    }
    String withoutHash = w.end();
    String hash = AuditLine.sha256Hex(withoutHash.getBytes(UTF_8));
    return (withoutHash.substring(0, withoutHash.length() - 1) + ",\"hash\":\"" + hash + "\"}")
        .getBytes(UTF_8);
  }

  static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Path file, byte[] bytes) {
    try {
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
