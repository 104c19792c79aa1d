package com.plugsky.crypto.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.conformance.vectors.CavpFile;
import com.plugsky.crypto.conformance.vectors.WycheproofFile;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.KeyWrapMode;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The harness can fail: corrupted vectors, or vectors whose verdict is flipped, must come out as
 * failures on every engine, and a shortfall against the declared count must be reported.
 */
class HarnessSelfTest {
  // gcmEncryptExtIV256.rsp, [IVlen = 96] [PTlen = 128] [AADlen = 128] [Taglen = 128], Count = 0.
  private static final String GCM_ENCRYPT = String.join("\r\n",
      "[Keylen = 256]", "[IVlen = 96]", "[PTlen = 128]", "[AADlen = 128]", "[Taglen = 128]", "",
      "Count = 0",
      "Key = %s",
      "IV = 7dfe7cb3c6b5b0a7b0c8f0f5",
      "PT = %s",
      "AAD = %s",
      "CT = %s",
      "Tag = %s",
      "");

  static Stream<AeadEngine> engines() {
    return Engines.available().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void aWrongExpectedCiphertextIsAFailure(AeadEngine engine) {
    byte[] key = new byte[32];
    byte[] iv = java.util.HexFormat.of().parseHex("7dfe7cb3c6b5b0a7b0c8f0f5");
    byte[] pt = "sixteen byte msg".getBytes(StandardCharsets.US_ASCII);
    byte[] aad = "sixteen byte aad".getBytes(StandardCharsets.US_ASCII);
    byte[] sealed = engine.insecureRawGcm().encrypt(key, iv, aad, pt, 128);
    String ct = hex(java.util.Arrays.copyOf(sealed, 16));
    String tag = hex(java.util.Arrays.copyOfRange(sealed, 16, 32));

    assertThat(runOne(CavpSuites.gcmEncrypt(cavp(GCM_ENCRYPT.formatted(hex(key), hex(pt), hex(aad), ct, tag))), engine))
        .isInstanceOf(Outcome.Pass.class);
    String flippedTag = tag.substring(0, 31) + (tag.charAt(31) == '0' ? '1' : '0');
    assertThat(runOne(CavpSuites.gcmEncrypt(cavp(GCM_ENCRYPT.formatted(hex(key), hex(pt), hex(aad), ct, flippedTag))), engine))
        .isInstanceOf(Outcome.Fail.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void aValidEntryMarkedFailIsAFailure(AeadEngine engine) {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        engine.primitives().supports(KeyWrapMode.AES_KW), engine.name() + " has no AES-KW to exercise the harness with");
    // KW_AD_256.txt, [PLAINTEXT LENGTH = 128], COUNT = 0: a valid wrapped key, here marked FAIL.
    String valid = "[PLAINTEXT LENGTH = 128]\r\n\r\nCOUNT = 0\r\n"
        + "K = 80aa997327a4806b6a7a41a52b86c3710386f932786ef79676fafb90b8263c5f\r\n"
        + "C = 423c960d8a2ac4c1d33d3d977bf0a91559f99c8acd293d43\r\n";
    VectorSuite passes = CavpSuites.unwrap(cavp(valid + "P = 0a256ba75cfa03aaa02ba94203f15baa\r\n"), KeyWrapMode.AES_KW);
    VectorSuite flipped = CavpSuites.unwrap(cavp(valid + "FAIL\r\n"), KeyWrapMode.AES_KW);

    assertThat(runOne(passes, engine)).isInstanceOf(Outcome.Pass.class);
    assertThat(runOne(flipped, engine)).isInstanceOf(Outcome.Fail.class);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("engines")
  void anAcceptableFlagWithoutADecisionIsAFailure(AeadEngine engine) {
    WycheproofFile file = WycheproofFile.parse("t.json", """
        {"numberOfTests": 1, "testGroups": [{"keySize": 128, "tagSize": 8, "tests": [
          {"tcId": 1, "comment": "", "flags": ["SomethingNew"], "key": "000102030405060708090a0b0c0d0e0f",
           "msg": "", "tag": "00", "result": "acceptable"}]}]}
        """.getBytes(StandardCharsets.UTF_8));
    assertThat(runOne(WycheproofSuites.hmac(file), engine))
        .isInstanceOfSatisfying(Outcome.Fail.class, f -> assertThat(f.detail()).contains("SomethingNew"));
  }

  @Test
  void fewerCasesThanDeclaredIsAProblem() {
    Tally tally = new Tally("f", "e", 3, 2);
    tally.record("a", Outcome.pass());
    tally.record("b", Outcome.skip("documented"));
    assertThat(tally.problems()).hasSize(2).anySatisfy(p -> assertThat(p).contains("parser produced 2 cases, the file declares 3"));
    assertThat(tally.skipReason()).isEqualTo("documented (1)");
  }

  @Test
  void aSuiteThatRunsFewerThanItMustIsAProblem() {
    Tally tally = new Tally("f", "e", 2, 2, 2);
    tally.record("a", Outcome.pass());
    tally.record("b", Outcome.skip("documented"));
    assertThat(tally.problems()).singleElement().asString().contains("only 1 ran, the suite must run 2");
  }

  @Test
  void anInvalidInputThatDecryptsToAnythingIsAFailure() {
    assertThat(Attempt.of(() -> new byte[] {1}).mustRefuse("decrypt", Optional.empty()))
        .isInstanceOf(Outcome.Fail.class);
    assertThat(
            Attempt.of(
                    () -> {
                      throw new IllegalStateException("untyped");
                    })
                .mustRefuse("decrypt", Optional.empty()))
        .isInstanceOf(Outcome.Fail.class);
    assertThat(
            Attempt.of(
                    () -> {
                      throw new com.plugsky.crypto.AuthenticationFailedException("tag");
                    })
                .mustRefuse("decrypt", Optional.empty()))
        .isInstanceOf(Outcome.Pass.class);
  }

  private static Outcome runOne(VectorSuite suite, AeadEngine engine) {
    assertThat(suite.cases()).hasSize(1);
    return suite.cases().getFirst().check().apply(engine);
  }

  private static CavpFile cavp(String text) {
    return CavpFile.parse("self-test", text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
