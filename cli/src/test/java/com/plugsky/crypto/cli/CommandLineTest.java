package com.plugsky.crypto.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing, help and usage errors, in process: what a user sees before any key is touched. */
class CommandLineTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return PlugskyCrypto.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private List<String> errLines() {
    return err.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "encrypt", "decrypt", "inspect", "rewrap", "bench", "bench report", "bench compare", "selftest", "completion"
      })
  void everyCommandHasHelpWithExamplesAndExitCodes(String command) {
    String[] args = (command + " --help").split(" ");
    assertThat(run(args)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("Usage: plugsky-crypto " + command)
        .contains("Examples:")
        .contains("Exit codes: 0");
  }

  @Test
  void anUnknownOptionIsOneLineAndExitTwo() {
    assertThat(run("encrypt", "--bogus")).isEqualTo(2);
    assertThat(errLines())
        .containsExactly(
            "plugsky-crypto encrypt: error: Unknown option: '--bogus' (try 'plugsky-crypto encrypt --help')");
  }

  @Test
  void aMalformedKeyRefIsOneLineAndExitTwo() {
    assertThat(run("encrypt", "--key", "nonsense:x")).isEqualTo(2);
    assertThat(errLines()).hasSize(1);
    assertThat(errLines().getFirst()).startsWith("plugsky-crypto encrypt: error: Invalid value for option '--key'");
  }

  @Test
  void aPinOnTheCommandLineIsRefusedWithoutEchoingIt() {
    assertThat(
            run(
                "encrypt",
                "--key",
                "pkcs11:token=t;object=k;type=secret-key?pin-value=123456&module-path=/usr/lib/softhsm/libsofthsm2.so"))
        .isEqualTo(2);
    assertThat(errLines()).hasSize(1);
    assertThat(errLines().getFirst()).contains("pin-source=env:NAME").doesNotContain("123456");
  }

  @Test
  void aContextPairNeedsAnEqualsSign() {
    assertThat(run("encrypt", "--context", "tenant")).isEqualTo(2);
    assertThat(errLines().getFirst()).contains("'tenant' is not key=value");
  }

  @ParameterizedTest
  @ValueSource(strings = {"encrypt", "decrypt", "rewrap --in-place --add local:b"})
  void aContextKeyGivenTwiceIsAUsageError(String command) {
    String[] args =
        (command + " --context tenant=acme --context tenant=other missing.pse").split(" ");

    assertThat(run(args)).isEqualTo(2);
    assertThat(errLines())
        .containsExactly(
            "plugsky-crypto "
                + command.split(" ")[0]
                + ": error: --context: encryption context key 'tenant' is given twice");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "encrypt --key local:a --key local:a",
        "decrypt --key local:a --key local:a",
        "rewrap -o out.pse --set local:a --set local:a"
      })
  void theSameKeyRefGivenTwiceIsAUsageError(String command) {
    String[] args = (command + " missing.pse").split(" ");

    assertThat(run(args)).isEqualTo(2);
    assertThat(errLines()).hasSize(1);
    assertThat(errLines().getFirst()).endsWith(" local:a is given twice");
  }

  @Test
  void aControlCharacterInAContextPairIsAUsageError() {
    assertThat(run("decrypt", "--context", "tenant=ac\u0007me", "x.pse"))
        .isEqualTo(2);
    assertThat(errLines()).hasSize(1);
    assertThat(errLines().getFirst())
        .startsWith("plugsky-crypto decrypt: error: Invalid value for option '--context'")
        .contains("control character (U+0007)");
  }

  @Test
  void rewrapNeedsSomethingToChange() {
    assertThat(run("rewrap", "--in-place", "x.pse")).isEqualTo(2);
    assertThat(errLines()).containsExactly("plugsky-crypto rewrap: error: say what to change with --add, --remove or --set");
  }

  @Test
  void rewrapTakesEitherAnOutputOrInPlace() {
    assertThat(run("rewrap", "--in-place", "-o", "y.pse", "--add", "local:b", "x.pse")).isEqualTo(2);
    assertThat(errLines()).hasSize(1);
  }

  @Test
  void benchNeedsAKnownFamily() {
    assertThat(run("bench", "aes")).isEqualTo(2);
    assertThat(errLines())
        .containsExactly(
            "plugsky-crypto bench: error: unknown family 'aes'; families: aes-gcm, cold-start, envelope, kms, pkcs11, tls, all");
  }

  @Test
  void benchRefusesResultOptionsItSetsItself() {
    assertThat(run("bench", "aes-gcm", "-rff", "x.json")).isEqualTo(2);
    assertThat(errLines().getFirst()).contains("-rff is set by the command");
  }

  @Test
  void noCommandIsAUsageError() {
    assertThat(run()).isEqualTo(2);
    assertThat(errLines()).contains("plugsky-crypto: error: name a command (try 'plugsky-crypto --help')");
  }

  @Test
  void completionGeneratesABashScriptForEveryCommand() {
    assertThat(run("completion")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("complete -F _complete_plugsky-crypto")
        .contains("encrypt", "decrypt", "inspect", "rewrap", "bench", "selftest");
  }
}
