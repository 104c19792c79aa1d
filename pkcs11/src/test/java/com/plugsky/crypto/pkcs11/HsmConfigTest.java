package com.plugsky.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HsmConfigTest {
  private static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");

  @Test
  void namesTheTokenByExactlyOneOfLabelAndSlot() {
    assertThatThrownBy(() -> HsmConfig.builder(MODULE).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("exactly one");
    assertThatThrownBy(() -> HsmConfig.builder(MODULE).tokenLabel("a").slotId(1).build())
        .isInstanceOf(InvalidInputException.class);
    assertThat(HsmConfig.builder(MODULE).slotId(3).build().slotId()).hasValue(3);
  }

  @Test
  void defaultsToTheFfmBackendAndAFourSessionPool() {
    HsmConfig config = HsmConfig.builder(MODULE).tokenLabel("hsm1").build();

    assertThat(config.backend()).isEqualTo(HsmConfig.Backend.FFM);
    assertThat(config.maxSessions()).isEqualTo(4);
    assertThat(config.borrowTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.pinSource()).isSameAs(PinSource.NONE);
  }

  @Test
  void refusesPoolBoundsThatCannotWork() {
    assertThatThrownBy(() -> HsmConfig.builder(MODULE).maxSessions(0))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> HsmConfig.builder(MODULE).borrowTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> HsmConfig.builder(MODULE).slotId(-1))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void printsWhereTheTokenIsButNeverThePin() {
    HsmConfig config =
        HsmConfig.builder(MODULE)
            .tokenLabel("hsm1")
            .pinSource(PinSource.of("1234-secret".toCharArray()))
            .build();

    assertThat(config.toString())
        .isEqualTo("module=/usr/lib/softhsm/libsofthsm2.so, token=hsm1, backend=FFM")
        .doesNotContain("secret");
  }

  @Test
  void anHsmKeyNeedsALabelOrAnIdAndPrintsBoth() {
    assertThatThrownBy(() -> HsmKey.of(null, null)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> HsmKey.label("")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> HsmKey.id(new byte[0])).isInstanceOf(InvalidInputException.class);

    HsmKey key = HsmKey.of("orders-kek", new byte[] {0x0a, 0x1b});

    assertThat(key)
        .hasToString("label=orders-kek, id=0a1b")
        .isEqualTo(HsmKey.of("orders-kek", new byte[] {0x0a, 0x1b}));
    assertThat(key).isNotEqualTo(HsmKey.label("orders-kek"));
  }
}
