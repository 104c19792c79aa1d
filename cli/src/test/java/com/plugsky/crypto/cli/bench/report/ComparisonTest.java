package com.plugsky.crypto.cli.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample result against a copy with one score changed. jdk encrypt 1 KiB is 1,000,000 ± 10,000
 * ops/s before: after 970,000 ± 10,000 the intervals [990k, 1010k] and [960k, 980k] are disjoint (a
 * regression); after 985,000 ± 10,000 they overlap (within error).
 */
class ComparisonTest {
  private static final String JDK_ENCRYPT = "aesgcm.encrypt buffer=array 1 KiB ours: jdk";

  @TempDir Path directory;

  private static Path sample() throws Exception {
    return Path.of(ComparisonTest.class.getResource("/sample-aes-gcm.json").toURI());
  }

  /** The sample with the score of jdk encrypt 1 KiB replaced. */
  private Path withJdkEncryptScore(double score) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode results = (ArrayNode) mapper.readTree(sample().toFile());
    ObjectNode metric = (ObjectNode) results.get(1).path("primaryMetric");
    metric.put("score", score);
    Path changed = directory.resolve("after-" + (long) score + ".json");
    mapper.writeValue(changed.toFile(), results);
    return changed;
  }

  private static Comparison compare(Path before, Path after) throws Exception {
    return Comparison.of(
        BenchmarkReport.load(before), "before.json", BenchmarkReport.load(after), "after.json");
  }

  @Test
  void aDropBeyondBothErrorBarsIsARegression() throws Exception {
    Comparison comparison = compare(sample(), withJdkEncryptScore(970_000));

    assertThat(comparison.regressions()).isOne();
    assertThat(comparison.markdown().lines())
        .contains(
            "| "
                + JDK_ENCRYPT.replace(" ours: jdk", "")
                + " | ours: jdk | 1024.0 ± 10.2 MB/s (1.00M ops/s) | 993.3 ± 10.2 MB/s (970k ops/s)"
                + " | -3.0% | **regression** |")
        .contains("9 compared, 1 regression(s)");
  }

  @Test
  void aTimePerOperationThatRoseBeyondBothErrorBarsIsARegression() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode results = (ArrayNode) mapper.readTree(sample().toFile());
    // accp encrypt 64 B, average time: 400 ± 10 ns before, 450 ± 10 ns after.
    ((ObjectNode) results.get(8).path("primaryMetric")).put("score", 4.5e-7);
    Path slower = directory.resolve("slower.json");
    mapper.writeValue(slower.toFile(), results);

    Comparison comparison = compare(sample(), slower);

    assertThat(comparison.regressions()).isOne();
    assertThat(comparison.markdown().lines())
        .contains(
            "| aesgcm.encrypt buffer=array 64 B | peer: accp | 400 ns ± 10.0 | 450 ns ± 10.0 | -11.1%"
                + " | **regression** |");
  }

  @Test
  void rowsMeasuredOnOtherThreadCountsAreNotCompared() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    ArrayNode results = (ArrayNode) mapper.readTree(sample().toFile());
    results.forEach(entry -> ((ObjectNode) entry).put("threads", 2));
    Path twoThreads = directory.resolve("two-threads.json");
    mapper.writeValue(twoThreads.toFile(), results);

    assertThat(BenchmarkReport.load(twoThreads).markdown(java.util.List.of()))
        .contains("2 thread(s)")
        .contains("| threads |");
    assertThat(compare(sample(), twoThreads).compared()).isZero();
  }

  @Test
  void aDropInsideTheErrorBarsIsNoise() throws Exception {
    Comparison comparison = compare(sample(), withJdkEncryptScore(985_000));

    assertThat(comparison.regressions()).isZero();
    assertThat(comparison.markdown()).contains("| -1.5% | within error |");
  }

  @Test
  void aRiseBeyondTheErrorBarsIsAnImprovementAndAResultWithoutErrorIsNeverARegression()
      throws Exception {
    Comparison comparison = compare(sample(), withJdkEncryptScore(1_100_000));

    assertThat(comparison.regressions()).isZero();
    assertThat(comparison.markdown())
        .contains("| +10.0% | improvement |")
        .contains("ours: jdk")
        .contains(
            "peer: tink | 128.0 MB/s (2.00M ops/s) | 128.0 MB/s (2.00M ops/s) | +0.0% | no error"
                + " bars |");
  }
}
