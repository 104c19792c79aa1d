package com.plugsky.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
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
