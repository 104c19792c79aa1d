package com.plugsky.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PinSourceTest {
  @TempDir Path directory;

  @Test
  void aFileSourceDropsOneTrailingLineBreak() throws Exception {
    Path file = Files.writeString(directory.resolve("pin"), "1234 5\r\n");

    assertThat(PinSource.file(file).pin()).containsExactly('1', '2', '3', '4', ' ', '5');
    assertThat(PinSource.fromUri("file:" + file).pin())
        .containsExactly('1', '2', '3', '4', ' ', '5');
    assertThat(PinSource.fromUri(file.toString()).pin()).hasSize(6);
  }

  @Test
  void aMissingFileOrVariableIsAConfigurationErrorThatShowsNoPin() {
    assertThatThrownBy(() -> PinSource.file(directory.resolve("absent")).pin())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("absent");
    assertThatThrownBy(() -> PinSource.fromUri("env:PLUGSKY_TEST_UNSET_VARIABLE").pin())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("PLUGSKY_TEST_UNSET_VARIABLE");
  }

  @Test
  void anEnvironmentSourceReadsTheVariableSetForItsProcess() throws Exception {
    // A JVM cannot set its own environment, so a child JVM gets the variable and reads it.
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder child =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PinFromEnvironment.class.getName(),
                "PLUGSKY_TEST_PIN")
            .redirectErrorStream(true);
    child.environment().put("PLUGSKY_TEST_PIN", "4711 x");
    Process process = child.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output.strip()).isEqualTo("0x34 0x37 0x31 0x31 0x20 0x78");
  }

  /** Run in the child JVM: prints the PIN {@code env:NAME} gives, one code unit at a time. */
  static final class PinFromEnvironment {
    public static void main(String[] arguments) {
      char[] pin = PinSource.fromUri("env:" + arguments[0]).pin();
      StringBuilder units = new StringBuilder();
      for (char unit : pin) {
        units.append(units.isEmpty() ? "" : " ").append("0x").append(Integer.toHexString(unit));
      }
      System.out.println(units);
    }
  }

  @Test
  void aHeldPinIsCopiedInAndOut() {
    char[] pin = {'4', '7', '1', '1'};
    PinSource source = PinSource.of(pin);
    pin[0] = 'x';

    char[] first = source.pin();
    first[1] = 'y';

    assertThat(source.pin()).containsExactly('4', '7', '1', '1');
  }

  @Test
  void otherPinSourceFormsAreRefusedWithoutEchoingThem() {
    assertThatThrownBy(() -> PinSource.fromUri("|/usr/bin/ask-pin secret"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageNotContaining("secret");
  }
}
