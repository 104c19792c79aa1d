package com.plugsky.crypto.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.primitive.Bytes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EncryptionContextTest {

  @Test
  void emptyContextEncodesAsTwoZeroBytes() {
    assertThat(EncryptionContext.empty().encoded()).containsExactly(0, 0);
    assertThat(EncryptionContext.empty().asMap()).isEmpty();
    assertThat(EncryptionContext.of()).isEqualTo(EncryptionContext.empty());
    assertThat(EncryptionContext.decode(new byte[2])).isEqualTo(EncryptionContext.empty());
  }

  @Test
  void goldenEncoding() {
    EncryptionContext context =
        EncryptionContext.of("tenant", "acme", "region", "eu-west-1", "note", "");
    assertThat(Bytes.hex(context.encoded()))
        .isEqualTo(
            "0003"
                + "0006"
                + "74656e616e74"
                + "0004"
                + "61636d65"
                + "0006"
                + "726567696f6e"
                + "0009"
                + "65752d776573742d31"
                + "0004"
                + "6e6f7465"
                + "0000");
  }

  @Test
  void javadocExampleEncoding() {
    assertThat(Bytes.hex(EncryptionContext.of("tenant", "acme").encoded()))
        .isEqualTo("0001" + "0006" + "74656e616e74" + "0004" + "61636d65");
  }

  @Test
  void goldenEncodingOfNonAscii() {
    EncryptionContext context = EncryptionContext.of("caf\u00e9", "\u20ac\uD83D\uDE00");
    assertThat(Bytes.hex(context.encoded()))
        .isEqualTo("0001" + "0005" + "636166c3a9" + "0007" + "e282acf09f9880");
    assertThat(EncryptionContext.decode(context.encoded()).asMap())
        .containsExactly(Map.entry("caf\u00e9", "\u20ac\uD83D\uDE00"));
  }

  @Test
  void orderIsKeptAndSignificant() {
    EncryptionContext ab = EncryptionContext.of("a", "1", "b", "2");
    EncryptionContext ba = EncryptionContext.builder().put("b", "2").put("a", "1").build();
    assertThat(ab.asMap().sequencedKeySet()).containsExactly("a", "b");
    assertThat(ba.asMap().sequencedKeySet()).containsExactly("b", "a");
    assertThat(ab).isNotEqualTo(ba);
    assertThat(ab.encoded()).isNotEqualTo(ba.encoded());
    assertThat(ab)
        .isEqualTo(EncryptionContext.of("a", "1", "b", "2"))
        .hasSameHashCodeAs(EncryptionContext.of("a", "1", "b", "2"));
    assertThat(ab).hasToString("EncryptionContext{a=1, b=2}");
  }

  @Test
  void roundTripsThroughItsEncoding() {
    EncryptionContext context = EncryptionContext.of("tenant", "acme", "purpose", "orders");
    EncryptionContext decoded = EncryptionContext.decode(context.encoded());
    assertThat(decoded).isEqualTo(context);
    assertThat(decoded.asMap())
        .containsExactly(Map.entry("tenant", "acme"), Map.entry("purpose", "orders"));
  }

  @Test
  void mapAndEncodingCannotBeModified() {
    EncryptionContext context = EncryptionContext.of("a", "1");
    assertThatThrownBy(() -> context.asMap().put("b", "2"))
        .isInstanceOf(UnsupportedOperationException.class);
    context.encoded()[0] = 9;
    assertThat(context.encoded()[1]).isEqualTo((byte) 1);
    assertThat(context.encoded()[0]).isZero();
  }

  @Test
  void rejectsBadPairs() {
    assertThatThrownBy(() -> EncryptionContext.of("a", "1", "a", "2"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("key 'a' is given twice");
    assertThatThrownBy(() -> EncryptionContext.of("", "1"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> EncryptionContext.of("a"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("1 arguments");
    assertThatThrownBy(() -> EncryptionContext.of("tenant", "acme\nforged=line"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("value of 'tenant' has a control character (U+000A)");
    assertThatThrownBy(() -> EncryptionContext.of("te\u0085nant", "acme"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("U+0085");
    assertThatThrownBy(() -> EncryptionContext.of("k", "\uD800"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("unpaired surrogate");
  }

  @Test
  void enforcesSizeLimits() {
    assertThatThrownBy(
            () -> EncryptionContext.of("k".repeat(EncryptionContext.MAX_KEY_BYTES + 1), "v"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("257 UTF-8 bytes");
    assertThat(EncryptionContext.of("k".repeat(EncryptionContext.MAX_KEY_BYTES), "v").asMap())
        .hasSize(1);
    assertThatThrownBy(
            () ->
                EncryptionContext.of(
                    "k", "\u00e9".repeat(EncryptionContext.MAX_VALUE_BYTES / 2 + 1)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("2050 UTF-8 bytes");
    EncryptionContext.Builder many = EncryptionContext.builder();
    for (int i = 0; i < EncryptionContext.MAX_PAIRS; i++) {
      many.put("k" + i, "v");
    }
    assertThatThrownBy(() -> many.put("one-more", "v"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("at most 64 pairs");
    EncryptionContext.Builder big = EncryptionContext.builder();
    for (int i = 0; i < 3; i++) {
      big.put("k" + i, "v".repeat(EncryptionContext.MAX_VALUE_BYTES));
    }
    assertThatThrownBy(() -> big.put("k3", "v".repeat(EncryptionContext.MAX_VALUE_BYTES)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("limit is 8192");
  }

  @Test
  void decodeRejectsEveryTruncation() {
    byte[] encoded = EncryptionContext.of("tenant", "acme", "purpose", "orders").encoded();
    for (int length = 0; length < encoded.length; length++) {
      byte[] truncated = Arrays.copyOf(encoded, length);
      assertThatThrownBy(() -> EncryptionContext.decode(truncated))
          .as("length %d", length)
          .isInstanceOf(MalformedCiphertextException.class);
    }
  }

  @Test
  void decodeRejectsTrailingBytes() {
    byte[] encoded = EncryptionContext.of("a", "1").encoded();
    byte[] longer = Arrays.copyOf(encoded, encoded.length + 1);
    assertThatThrownBy(() -> EncryptionContext.decode(longer))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("1 trailing bytes");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0041", // 65 pairs
        "0001" + "0101", // key of 257 bytes
        "0001" + "0001" + "61" + "0801", // value of 2049 bytes
        "0001" + "0000" + "0000", // empty key
        "0002" + "0001" + "61" + "0000" + "0001" + "61" + "0000", // duplicate key
        "0001" + "0001" + "ff" + "0000", // not UTF-8
        "0001" + "0002" + "c0af" + "0000", // overlong UTF-8 for '/'
        "0001" + "0001" + "61" + "0001" + "0a", // control character
      })
  void decodeRejectsNonCanonicalContent(String hex) {
    assertThatThrownBy(() -> EncryptionContext.decode(Bytes.fromHex(hex)))
        .isInstanceOf(MalformedCiphertextException.class);
  }

  @Test
  void decodeRejectsAnOversizeWhole() {
    ByteBuffer out = ByteBuffer.allocate(2 + 5 * (4 + 2 + EncryptionContext.MAX_VALUE_BYTES));
    out.putShort((short) 5);
    for (int i = 0; i < 5; i++) {
      out.putShort((short) 2)
          .put(("k" + i).getBytes())
          .putShort((short) EncryptionContext.MAX_VALUE_BYTES);
      out.put("v".repeat(EncryptionContext.MAX_VALUE_BYTES).getBytes());
    }
    assertThatThrownBy(() -> EncryptionContext.decode(out.array()))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("limit is 8192");
  }

  @Test
  void decodeFromABufferConsumesExactlyOneEncoding() {
    byte[] encoded = EncryptionContext.of("a", "1").encoded();
    ByteBuffer buffer =
        ByteBuffer.allocate(encoded.length + 4)
            .put((byte) 7)
            .put(encoded)
            .put(new byte[] {1, 2, 3});
    buffer.flip().position(1);
    assertThat(EncryptionContext.decode(buffer)).isEqualTo(EncryptionContext.of("a", "1"));
    assertThat(buffer.position()).isEqualTo(1 + encoded.length);

    ByteBuffer truncated = ByteBuffer.wrap(Arrays.copyOf(encoded, encoded.length - 1));
    assertThatThrownBy(() -> EncryptionContext.decode(truncated))
        .isInstanceOf(MalformedCiphertextException.class);
    assertThat(truncated.position()).isZero();
  }
}
