package com.plugsky.crypto.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.cli.UserError;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
  private static final Path JSON = Path.of("out.json");

  @Test
  void theProfileComesFirstAndTheCallersOptionsReplaceItsValues() {
    BenchCommand bench = new BenchCommand();
    bench.quick = true;

    assertThat(bench.jmhArguments(BenchFamily.AES_GCM, List.of("-i", "1", "-p", "size=64"), JSON))
        .containsExactly(
            "^com\\.plugsky\\.crypto\\.bench\\.aesgcm\\.",
            "-f", "1", "-wi", "3", "-w", "1s", "-r", "1s",
            "-i", "1", "-p", "size=64",
            "-rf", "json", "-rff", "out.json");
  }

  @Test
  void theHelpNamesEveryFamily() {
    String help = new picocli.CommandLine(new BenchCommand()).getUsageMessage();

    for (String family : BenchFamily.names()) {
      assertThat(help).containsPattern("(?m)^  " + java.util.regex.Pattern.quote(family) + " ");
    }
  }

  @Test
  void theFullProfileIsTheDefault() {
    assertThat(new BenchCommand().jmhArguments(BenchFamily.ENVELOPE, List.of(), JSON))
        .containsSubsequence("-f", "2", "-wi", "5", "-w", "2s", "-i", "5", "-r", "2s");
  }

  @Test
  void coldStartTakesNoProfile() {
    assertThat(new BenchCommand().jmhArguments(BenchFamily.COLD_START, List.of("-p", "engine=jdk"), JSON))
        .containsExactly(
            "^com\\.plugsky\\.crypto\\.bench\\.coldstart\\.", "-p", "engine=jdk", "-rf", "json", "-rff", "out.json");
    assertThatThrownBy(() -> new BenchCommand().jmhArguments(BenchFamily.COLD_START, List.of("-f", "1"), JSON))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("single shots");
  }
}
