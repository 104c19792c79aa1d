package com.plugsky.crypto.conformance.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CavpFileTest {
  private static final String SAMPLE =
      String.join(
          "\r\n",
          "# CAVS 14.0",
          "# GCM Decrypt with keysize 256 test information",
          "",
          "[Keylen = 256]",
          "[IVlen = 96]",
          "[Taglen = 128]",
          "",
          "Count = 0",
          "Key = 00ff",
          "CT = ",
          "Tag = 0102",
          "PT = ",
          "",
          "Count = 1",
          "Key = 0a",
          "CT = 0b",
          "Tag = 0c",
          "FAIL",
          "",
          "[Keylen = 256]",
          "[IVlen = 1024]",
          "[Taglen = 32]",
          "",
          "Count = 0",
          "Key = 0d",
          "CT = ",
          "Tag = 0e",
          "PT = 0f",
          "");

  @Test
  void parsesParameterBlocksEntriesAndFailLinesWithCrlf() {
    CavpFile file = CavpFile.parse("sample.rsp", SAMPLE.getBytes(StandardCharsets.US_ASCII));

    assertThat(file.declaredCount()).isEqualTo(3);
    assertThat(file.entries()).hasSize(3);
    CavpFile.Entry first = file.entries().get(0);
    assertThat(first.count()).isZero();
    assertThat(first.line()).isEqualTo(8);
    assertThat(first.parameter("IVlen")).isEqualTo(96);
    assertThat(first.bytes("Key")).containsExactly(0x00, 0xff);
    assertThat(first.bytes("CT")).isEmpty();
    assertThat(first.bytes("PT")).isEmpty();
    assertThat(first.fail()).isFalse();

    CavpFile.Entry second = file.entries().get(1);
    assertThat(second.fail()).isTrue();
    assertThat(second.has("PT")).isFalse();

    CavpFile.Entry third = file.entries().get(2);
    assertThat(third.parameter("IVlen")).isEqualTo(1024);
    assertThat(third.parameter("Taglen")).isEqualTo(32);
    assertThat(third.id()).isEqualTo("[IVlen=1024, Keylen=256, Taglen=32] Count=0 (line 24)");
  }

  @Test
  void acceptsLfAndKeyWrapStyleParameters() {
    String kw = "[PLAINTEXT LENGTH = 128]\n\nCOUNT = 7\nK = 01\nC = 02\nFAIL\n";
    CavpFile file = CavpFile.parse("kw.txt", kw.getBytes(StandardCharsets.US_ASCII));

    assertThat(file.declaredCount()).isEqualTo(1);
    assertThat(file.entries()).singleElement().satisfies(e -> {
      assertThat(e.count()).isEqualTo(7);
      assertThat(e.parameter("PLAINTEXT LENGTH")).isEqualTo(128);
      assertThat(e.fail()).isTrue();
    });
  }

  @Test
  void rejectsWhatItCannotRead() {
    assertThatThrownBy(() -> parse("Count = 0\r\nKey = 00\r\nthis is not a field\r\n"))
        .hasMessageContaining("x.rsp:3");
    assertThatThrownBy(() -> parse("Key = 00\r\n")).hasMessageContaining("outside an entry");
    assertThatThrownBy(() -> parse("FAIL\r\n")).hasMessageContaining("FAIL outside an entry");
    assertThatThrownBy(() -> parse("Count = 0\r\nKey = 00\r\nKey = 01\r\n")).hasMessageContaining("appears twice");
    assertThatThrownBy(() -> parse("Count = zero\r\n")).hasMessageContaining("not an integer");
  }

  @Test
  void independentCountSeesEntriesTheParserWouldMiss() {
    // The declared count does not depend on the parser: it counts the Count lines of the raw text.
    assertThat(CavpFile.countEntryLines("Count = 0\r\nCOUNT = 1\r\n  count=2\r\n# Count = 3 is a comment\r\nAccount = 4\r\n"))
        .isEqualTo(3);
  }

  private static CavpFile parse(String text) {
    return CavpFile.parse("x.rsp", text.getBytes(StandardCharsets.US_ASCII));
  }
}
