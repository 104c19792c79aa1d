package com.plugsky.crypto.pkcs11.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.plugsky.crypto.pkcs11.check.CheckResult.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HsmCheckReportTest {
  private static final List<VectorFileResult.Failure> TWELVE_FAILURES =
      IntStream.rangeClosed(1, 12)
          .mapToObj(
              tcId -> new VectorFileResult.Failure(tcId, "invalid", "decryption accepted <it>"))
          .toList();

  private static HsmCheckReport report() {
    VectorFileResult file =
        new VectorFileResult("aes_gcm_test.json", 316, 316, 66, 250, TWELVE_FAILURES);
    CheckResult vectors =
        new CheckResult(
            "aes-gcm-wycheproof",
            Status.FAIL,
            Duration.ofMillis(5),
            "not passed: aes_gcm_test.json",
            OptionalDouble.of(100),
            List.of(file));
    CheckResult plain =
        new CheckResult("random", Status.PASS, Duration.ofMillis(1), "ok", OptionalDouble.empty());
    return new HsmCheckReport(
        "/lib/module.so",
        "token",
        "ffm",
        Instant.EPOCH,
        List.of(vectors, plain),
        new TreeSet<>(List.of("CKM_AES_GCM")),
        Map.of(),
        null,
        null);
  }

  @Test
  void theSummaryCountsEachFileAndListsTheFirstTenFailedTests() {
    String summary = report().summary();

    assertThat(summary)
        .contains(
            "aes_gcm_test.json: 66 run, 250 skipped, 12 failed (316 of 316 declared tests read)")
        .contains("tcId 10 (invalid): decryption accepted <it>")
        .doesNotContain("tcId 11 ")
        .contains("and 2 more failed tests")
        .contains("FAILED: 1 passed, 1 failed");
  }

  @Test
  void theJsonHoldsEveryFailedTestById() throws Exception {
    JsonNode json = new ObjectMapper().readTree(report().toJson());

    JsonNode file = json.path("checks").get(0).path("vectors").get(0);
    assertThat(file.path("file").asText()).isEqualTo("aes_gcm_test.json");
    assertThat(file.path("declared").asInt()).isEqualTo(316);
    assertThat(file.path("read").asInt()).isEqualTo(316);
    assertThat(file.path("run").asInt()).isEqualTo(66);
    assertThat(file.path("skipped").asInt()).isEqualTo(250);
    assertThat(file.path("passed").asBoolean()).isFalse();
    assertThat(file.path("failures")).hasSize(12);
    assertThat(file.path("failures").get(11).path("tcId").asInt()).isEqualTo(12);
    assertThat(file.path("failures").get(11).path("reason").asText())
        .isEqualTo("decryption accepted <it>");
    assertThat(json.path("checks").get(1).has("vectors")).isFalse();
  }

  @Test
  void theHtmlListsEveryFailedTestEscaped() {
    String html = report().toHtml();

    assertThat(html)
        .contains("aes_gcm_test.json: 66 run")
        .contains("<li>tcId 12 (invalid): decryption accepted &lt;it&gt;</li>")
        .doesNotContain("<it>");
  }
}
