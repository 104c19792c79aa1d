package com.plugsky.crypto.pkcs11.check;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.pkcs11.check.CheckResult.Status;
import com.plugsky.crypto.pkcs11.check.WycheproofFile.Verdict;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WycheproofFileTest {
  private static final String THREE_DECLARED_TWO_PRESENT =
      """
      {"numberOfTests": 3, "testGroups": [
        {"keySize": 256, "tests": [
          {"tcId": 1, "result": "valid", "msg": "00"},
          {"tcId": 2, "result": "invalid", "msg": "01"}]}]}
      """;

  private static WycheproofFile parse(String json) throws Exception {
    return WycheproofFile.parse(
        "short.json", new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  private static CheckResult checkOf(VectorFileResult result) {
    return HsmCheck.Outcome.ofVectors("ran", result, OptionalDouble.empty())
        .result("aes-gcm-wycheproof", Duration.ZERO);
  }

  @Test
  void aFileHoldingFewerTestsThanItDeclaresFailsTheCheckThoughEveryTestPassed() throws Exception {
    VectorFileResult result = parse(THREE_DECLARED_TWO_PRESENT).run(c -> Verdict.PASS);

    assertThat(result.declared()).isEqualTo(3);
    assertThat(result.read()).isEqualTo(2);
    assertThat(result.run()).isEqualTo(2);
    assertThat(result.failures()).isEmpty();
    assertThat(result.passed()).isFalse();
    assertThat(result.summary()).contains("the file holds 2 of the 3 tests it declares");
    CheckResult check = checkOf(result);
    assertThat(check.status()).isEqualTo(Status.FAIL);
    assertThat(check.detail()).contains("not passed: short.json");
    assertThat(check.vectors()).containsExactly(result);
  }

  @Test
  void aCompleteFileWhoseTestsPassPassesTheCheck() throws Exception {
    String complete =
        THREE_DECLARED_TWO_PRESENT.replace("\"numberOfTests\": 3", "\"numberOfTests\": 2");

    CheckResult check = checkOf(parse(complete).run(c -> Verdict.PASS));

    assertThat(check.status()).isEqualTo(Status.PASS);
    assertThat(check.detail()).isEqualTo("ran");
  }

  @Test
  void failuresAreReportedByTestIdAndAnExceptionFailsOnlyItsTest() throws Exception {
    String complete =
        THREE_DECLARED_TWO_PRESENT.replace("\"numberOfTests\": 3", "\"numberOfTests\": 2");

    VectorFileResult result =
        parse(complete)
            .run(
                c -> {
                  if (c.tcId() == 2) {
                    throw new IllegalStateException("token said no");
                  }
                  return c.valid() ? Verdict.fail("decryption differs from msg") : Verdict.PASS;
                });

    assertThat(result.run()).isEqualTo(2);
    assertThat(result.failures())
        .containsExactly(
            new VectorFileResult.Failure(1, "valid", "decryption differs from msg"),
            new VectorFileResult.Failure(2, "invalid", "IllegalStateException: token said no"));
    assertThat(checkOf(result).status()).isEqualTo(Status.FAIL);
  }

  @Test
  void aFileWhereEveryTestIsSkippedFailsTheCheck() throws Exception {
    String complete =
        THREE_DECLARED_TWO_PRESENT.replace("\"numberOfTests\": 3", "\"numberOfTests\": 2");

    VectorFileResult result = parse(complete).run(c -> Verdict.SKIP);

    assertThat(result.skipped()).isEqualTo(2);
    assertThat(result.summary()).contains("no test ran");
    assertThat(checkOf(result).status()).isEqualTo(Status.FAIL);
  }

  @ParameterizedTest
  @CsvSource({
    "aes_gcm_test.json, 316",
    "aes_kwp_test.json, 254",
    "ecdsa_secp256r1_sha256_p1363_test.json, 262"
  })
  void theShippedFilesHoldEveryTestTheyDeclare(String name, int tests) {
    WycheproofFile file = WycheproofFile.load(name);

    assertThat(file.declared()).isEqualTo(tests);
    assertThat(file.cases()).hasSize(tests);
    assertThat(file.cases().stream().map(WycheproofFile.Case::tcId).distinct()).hasSize(tests);
  }

  @Test
  void theShippedFilesComeWithTheirLicenseAndSources() throws Exception {
    for (String name : new String[] {"LICENSE", "SOURCES.md"}) {
      try (var in = WycheproofFile.class.getResourceAsStream("wycheproof/" + name)) {
        assertThat(in).as(name).isNotNull();
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertThat(text).contains(name.equals("LICENSE") ? "Apache License" : "dac1dd4729fd");
      }
    }
  }
}
