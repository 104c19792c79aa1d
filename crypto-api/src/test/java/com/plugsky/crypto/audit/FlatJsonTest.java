package com.plugsky.crypto.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FlatJsonTest {

  static Stream<Arguments> escapes() {
    return Stream.of(
        Arguments.of("plain", "\"plain\""),
        Arguments.of("a\"b", "\"a\\\"b\""),
        Arguments.of("a\\b", "\"a\\\\b\""),
        Arguments.of("/", "\"/\""),
        Arguments.of("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\""),
        Arguments.of("\u0000\u001f", "\"\\u0000\\u001f\""),
        Arguments.of("\u007f\u0085\u009f", "\"\\u007f\\u0085\\u009f\""),
        Arguments.of("\u00a0\u00e9\u4e2d", "\"\u00a0\u00e9\u4e2d\""),
        Arguments.of("\ud83d\udd11", "\"\ud83d\udd11\""),
        Arguments.of("\u2028\u2029", "\"\\u2028\\u2029\""),
        Arguments.of("x\ud800", "\"x\\ud800\""),
        Arguments.of("\udc00x", "\"\\udc00x\""),
        Arguments.of("\udbff\ud800", "\"\\udbff\\ud800\""));
  }

  @ParameterizedTest
  @MethodSource("escapes")
  void quotesCanonically(String value, String expected) throws Exception {
    var out = new StringBuilder();
    FlatJson.quote(out, value);

    assertThat(out.toString()).isEqualTo(expected);
    assertThat(FlatJson.parseObject("{\"k\":" + expected + "}").get("k")).isEqualTo(value);
  }

  @Test
  void randomStringsRoundTrip() throws Exception {
    var random = new Random(20250601);
    for (int n = 0; n < 2000; n++) {
      var sb = new StringBuilder();
      int len = random.nextInt(12);
      for (int i = 0; i < len; i++) {
        sb.append(
            switch (random.nextInt(4)) {
              case 0 -> (char) random.nextInt(0x100);
              case 1 -> (char) (0xd800 + random.nextInt(0x800));
              case 2 -> "\"\\\n".charAt(random.nextInt(3));
              default -> (char) random.nextInt(0x10000);
            });
      }
      String value = sb.toString();
      String json = new FlatJson.ObjectWriter().string("v", value).end();

      assertThat(json).doesNotContain("\n", "\r", "\u2028");
      assertThat(FlatJson.parseObject(json).get("v")).as("round trip #%d", n).isEqualTo(value);
    }
  }

  @Test
  void parsesTheSupportedValuesInOrder() throws Exception {
    LinkedHashMap<String, Object> m =
        FlatJson.parseObject(
            " { \"s\" : \"x\\/\\u00E9\" , \"n\":-9223372036854775808,\"z\":0,\"nil\":null } ");

    assertThat(m.keySet()).containsExactly("s", "n", "z", "nil");
    assertThat(m.get("s")).isEqualTo("x/\u00e9");
    assertThat(m.get("n")).isEqualTo(Long.MIN_VALUE);
    assertThat(m.get("z")).isEqualTo(0L);
    assertThat(m).containsEntry("nil", null);
    assertThat(FlatJson.parseObject("{}")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "[]",
        "{",
        "{\"a\":1,}",
        "{\"a\":1}x",
        "{\"a\":1}{}",
        "{a:1}",
        "{\"a\" 1}",
        "{\"a\":1,\"a\":2}",
        "{\"a\":01}",
        "{\"a\":-}",
        "{\"a\":+1}",
        "{\"a\":1.5}",
        "{\"a\":1e3}",
        "{\"a\":9223372036854775808}",
        "{\"a\":true}",
        "{\"a\":{}}",
        "{\"a\":[1]}",
        "{\"a\":nul}",
        "{\"a\":\"unterminated}",
        "{\"a\":\"raw\ttab\"}",
        "{\"a\":\"bad \\x escape\"}",
        "{\"a\":\"short \\u12\"}",
        "{\"a\":\"non-hex \\u12g4\"}",
        "{\"a\":\"fullwidth \\u\uff11234\"}"
      })
  void rejectsEverythingOutsideTheStrictSubset(String text) {
    assertThatThrownBy(() -> FlatJson.parseObject(text))
        .isInstanceOf(FlatJson.MalformedJsonException.class)
        .hasMessageContaining("at offset");
  }
}
