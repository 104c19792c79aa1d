package com.plugsky.crypto.cli.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The report of a small hand-made JMH result (src/test/resources/sample-aes-gcm.json), whose
 * numbers are chosen so every cell can be checked by hand: e.g. 1,000,000 ops/s of 1 KiB is 1024.0
 * MB/s, and our best 1024.0 against ACCP's 1280.0 is 0.80.
 */
class BenchmarkReportTest {

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(BenchmarkReportTest.class.getResource("/" + name).toURI());
  }

  private static List<String> lines(String markdown) {
    return markdown.lines().toList();
  }

  @Test
  void throughputTableHasOneColumnPerImplementationOursFirstAndTheRatioToTheBestPeer() throws Exception {
    List<String> report = lines(BenchmarkReport.render(resource("sample-aes-gcm.json"), null));

    assertThat(report)
        .containsSubsequence(
            "## aesgcm",
            "| operation | buffer | size | ours: jdk | ours: bc-fips | peer: sunjce | peer: accp | peer: tink | ours / best peer | ours / jdk |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            "| encrypt | array | 1 KiB | 1024.0 ± 10.2 MB/s (1.00M ops/s) | 256.0 ± 5.1 MB/s (250k ops/s)"
                + " | 1126.4 ± 20.5 MB/s (1.10M ops/s) | 1280.0 ± 25.6 MB/s (1.25M ops/s)"
                + " | 819.2 ± 8.2 MB/s (800k ops/s) | 0.80 (jdk vs accp) | 1.00 (jdk) |",
            "| decrypt | direct | 64 B | 320.0 ± 6.4 MB/s (5.00M ops/s) | - | 256.0 ± 5.1 MB/s (4.00M ops/s)"
                + " | - | 128.0 MB/s (2.00M ops/s) | 1.25 (jdk vs sunjce) | 1.00 (jdk) |");
  }

  @Test
  void allocationTableAppearsWhenTheRunUsedProfGc() throws Exception {
    List<String> report = lines(BenchmarkReport.render(resource("sample-aes-gcm.json"), null));

    assertThat(report)
        .containsSubsequence(
            "### aesgcm: allocation per operation (-prof gc)",
            "| operation | buffer | size | ours: jdk | ours: bc-fips | peer: sunjce | peer: accp | peer: tink |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            "| encrypt | array | 1 KiB | - | - | - | - | - |",
            "| decrypt | direct | 64 B | 48.0 B/op | - | 120.0 B/op | - | 216.0 B/op |");
  }

  @Test
  void resultsInATimeModeGetTheirOwnTableInTheUnitThatFitsThem() throws Exception {
    List<String> report = lines(BenchmarkReport.render(resource("sample-aes-gcm.json"), null));

    assertThat(report)
        .containsSubsequence(
            "### aesgcm: time per operation (average time)",
            "Lower is better.",
            "| operation | buffer | size | peer: accp |",
            "| --- | --- | ---: | ---: |",
            "| encrypt | array | 64 B | 400 ns ± 10.0 |");
    assertThat(report).noneMatch(line -> line.startsWith("- skipped"));
  }

  @Test
  void coldStartSingleShotsAreTabledWithTheJdksTimeOverOurs() throws Exception {
    List<String> report = lines(BenchmarkReport.render(resource("sample-cold-start.json"), null));

    assertThat(report)
        .containsSubsequence(
            "## coldstart",
            "### coldstart: time per operation (single shot: one call per fork, nothing warmed up)",
            "| operation | messages | size | ours: default | ours: native | ours: jdk | ours: accp | jdk / ours |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            "| firstMessages | 200 | 1 MiB | 50.0 ms ± 5.00 | 60.0 ms ± 6.00 | 400 ms ± 40.0"
                + " | 55.0 ms ± 5.50 | 8.00 (default) |");
    assertThat(report).noneMatch(line -> line.startsWith("Throughput") || line.contains("MB/s"));
  }

  @Test
  void headerDescribesTheRun() throws Exception {
    List<String> report = lines(BenchmarkReport.render(resource("sample-aes-gcm.json"), null));

    assertThat(report)
        .contains(
            "- results: `sample-aes-gcm.json`",
            "- JMH 1.37 on JDK 25.0.3 (OpenJDK 64-Bit Server VM 25.0.3+9-LTS), 1 thread(s)",
            "- profile: 2 fork(s) × (5 × 2 s warmup + 5 × 2 s measurement)",
            "- **1 result(s) without an error estimate (one measured iteration): smoke numbers, not for publication**");
    assertThat(report).noneMatch(line -> line.contains("openssl"));
  }

  @Test
  void opensslSectionComparesOurBestEncryptionPerSize() throws Exception {
    List<String> report =
        lines(BenchmarkReport.render(resource("sample-aes-gcm.json"), resource("sample-openssl-speed.txt")));

    assertThat(report)
        .containsSubsequence(
            "## openssl speed (C reference, encrypt only)",
            "| size | openssl | best ours, buffer=array | ours / openssl, buffer=array |",
            "| ---: | ---: | ---: | ---: |",
            "| 64 B | 640.0 MB/s (10.0M ops/s) AES-256-GCM | - | - |",
            "| 1 KiB | 4096.0 MB/s (4.00M ops/s) AES-256-GCM | 1024.0 MB/s (jdk) | 0.25 |");
  }

  @Test
  void opensslParserReadsMachineAndHumanOutput() {
    List<OpensslSpeed.Sample> samples =
        OpensslSpeed.parse(
            List.of(
                "+H:64",
                "+F:25:AES-256-GCM:117197263.77",
                "The 'numbers' are in 1000s of bytes per second processed.",
                "type             1024 bytes  16384 bytes",
                "AES-256-GCM    2000000.00k  4500000.50k"));

    assertThat(samples)
        .containsExactly(
            new OpensslSpeed.Sample("AES-256-GCM", 64, 117197263.77),
            new OpensslSpeed.Sample("AES-256-GCM", 1024, 2.0e9),
            new OpensslSpeed.Sample("AES-256-GCM", 16384, 4500000.50 * 1000));
  }

  @Test
  void sizesAndCountsAreHumanReadable() {
    assertThat(BenchmarkReport.size(64)).isEqualTo("64 B");
    assertThat(BenchmarkReport.size(16384)).isEqualTo("16 KiB");
    assertThat(BenchmarkReport.size(1048576)).isEqualTo("1 MiB");
    assertThat(BenchmarkReport.size(1 << 30)).isEqualTo("1 GiB");
    assertThat(BenchmarkReport.size(3 << 29)).isEqualTo("1536 MiB");
    assertThat(BenchmarkReport.size(1000)).isEqualTo("1000 B");
    assertThat(BenchmarkReport.sig3(1_250_000)).isEqualTo("1.25M");
    assertThat(BenchmarkReport.sig3(3_050)).isEqualTo("3.05k");
    assertThat(BenchmarkReport.sig3(45.26)).isEqualTo("45.3");
    assertThat(BenchmarkReport.sig3(999_700)).isEqualTo("1.00M");
  }
}
