package com.plugsky.crypto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SelfTestCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return PlugskyCrypto.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void passesWithEveryBundledEngineAndShowsTheRouting() {
    assertThat(run("selftest", "--require", "jdk,native,bc-fips,accp,conscrypt")).isZero();
    String report = out.toString(StandardCharsets.UTF_8);
    assertThat(report)
        .contains("native: available", "jdk: available", "bc-fips: available", "accp: available", "conscrypt: available")
        .contains("byte[] under 256 B: native", "byte[] 256 B to 64 KiB: jdk", "direct buffers from 8 KiB: conscrypt")
        .contains("  native: ok")
        .containsPattern("AeadEngine\\[native on (OpenSSL|AWS-LC|BoringSSL)")
        .endsWith("selftest: PASS\n");
  }

  @Test
  void aMissingRequiredEngineExitsThree() {
    assertThat(run("selftest", "--require", "quantum")).isEqualTo(3);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("required engine 'quantum' is unavailable");
  }

  @Test
  void askingForFipsWithoutApprovedModeExitsThree() {
    assertThat(run("selftest", "--fips")).isEqualTo(3);
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(run("selftest", "--require")).isEqualTo(2);
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: plugsky-crypto", "encrypt", "selftest", "Exit codes: 0 ok");
  }
}
