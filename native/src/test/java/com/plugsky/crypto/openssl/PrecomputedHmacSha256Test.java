package com.plugsky.crypto.openssl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrecomputedHmacSha256Test {
  private static final HexFormat HEX = HexFormat.of();

  @BeforeAll
  static void libcryptoHasTheBlockFunction() {
    assertThat(PrecomputedHmacSha256.unavailabilityCause()).isNull();
    assertThat(PrecomputedHmacSha256.isAvailable()).isTrue();
  }

  /** RFC 4231 test cases 1-4, 6 and 7 (case 5 truncates its output). */
  @ParameterizedTest(name = "RFC 4231 case {0}")
  @CsvSource({
    "1, 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, 4869205468657265,"
        + " b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    "2, 4a656665, 7768617420646f2079612077616e7420666f72206e6f7468696e673f,"
        + " 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    "3, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
        + "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd,"
        + " 773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
    "4, 0102030405060708090a0b0c0d0e0f10111213141516171819, "
        + "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd,"
        + " 82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    "6, REPEAT_AA_131, 54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374,"
        + " 60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
  })
  void answersTheRfc4231Vectors(int testCase, String keyHex, String dataHex, String macHex) {
    byte[] key = keyHex.equals("REPEAT_AA_131") ? repeated((byte) 0xaa, 131) : HEX.parseHex(keyHex);
    byte[] data = HEX.parseHex(dataHex);
    byte[] mac = new byte[32];
    try (PrecomputedHmacSha256 hmac = PrecomputedHmacSha256.of(key)) {
      hmac.mac(data, 0, data.length, mac, 0);
    }
    assertThat(HEX.formatHex(mac)).as("case %d", testCase).isEqualTo(macHex);
  }

  @Test
  void answersRfc4231Case7ALongMessageUnderALongKey() {
    byte[] data =
        ("This is a test using a larger than block-size key and a larger than block-size data."
                + " The key needs to be hashed before being used by the HMAC algorithm.")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] mac = new byte[32];
    try (PrecomputedHmacSha256 hmac = PrecomputedHmacSha256.of(repeated((byte) 0xaa, 131))) {
      hmac.mac(data, 0, data.length, mac, 0);
    }
    assertThat(HEX.formatHex(mac))
        .isEqualTo("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  }

  /**
   * Every key length up to three blocks and every message length across the padding's one- and
   * two-block cases and several blocks, at random offsets, against the JDK's HMAC.
   */
  @Test
  void agreesWithTheJdkAcrossKeyAndMessageLengths() throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    Mac jdk = Mac.getInstance("HmacSHA256");
    int checked = 0;
    for (int keyLength = 0; keyLength <= 3 * 64; keyLength += 1 + keyLength / 16) {
      byte[] key = bytes(random, keyLength);
      jdk.init(new SecretKeySpec(keyLength == 0 ? new byte[1] : key, "HmacSHA256"));
      try (PrecomputedHmacSha256 hmac = PrecomputedHmacSha256.of(key)) {
        for (int length = 0; length <= 200; length++) {
          int offset = random.nextInt(8);
          byte[] buffer = bytes(random, offset + length + random.nextInt(8));
          byte[] out = bytes(random, 40);
          int outOffset = random.nextInt(9);
          byte[] around = out.clone();
          hmac.mac(buffer, offset, length, out, outOffset);
          jdk.update(buffer, offset, length);
          byte[] expected = jdk.doFinal();
          assertThat(Arrays.copyOfRange(out, outOffset, outOffset + 32))
              .as("seed %d, key %d bytes, message %d bytes", seed, keyLength, length)
              .isEqualTo(expected);
          assertThat(Arrays.copyOf(out, outOffset)).isEqualTo(Arrays.copyOf(around, outOffset));
          assertThat(Arrays.copyOfRange(out, outOffset + 32, 40))
              .isEqualTo(Arrays.copyOfRange(around, outOffset + 32, 40));
          checked++;
        }
      }
    }
    assertThat(checked).isEqualTo(51 * 201);
  }

  @Test
  void expandsTheFirstHkdfBlockAsAMacOfLabelDataAndOne() throws Exception {
    Random random = new Random(7);
    byte[] prk = bytes(random, 32);
    Mac jdk = Mac.getInstance("HmacSHA256");
    jdk.init(new SecretKeySpec(prk, "HmacSHA256"));
    try (PrecomputedHmacSha256 hmac = PrecomputedHmacSha256.of(prk)) {
      for (int labelLength = 0; labelLength <= 70; labelLength += 7) {
        for (int dataLength = 0; dataLength <= 130; dataLength += 3) {
          byte[] label = bytes(random, labelLength);
          byte[] data = bytes(random, dataLength + 5);
          byte[] out = new byte[32];
          hmac.expandFirstBlock(label, data, 5, dataLength, out, 0);
          jdk.update(label);
          jdk.update(data, 5, dataLength);
          jdk.update((byte) 1);
          assertThat(out).as("label %d, data %d", labelLength, dataLength).isEqualTo(jdk.doFinal());
        }
      }
    }
  }

  @Test
  void aMacMayOverwriteItsOwnMessage() throws Exception {
    byte[] key = bytes(new Random(3), 32);
    byte[] buffer = bytes(new Random(4), 50);
    Mac jdk = Mac.getInstance("HmacSHA256");
    jdk.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] expected = jdk.doFinal(buffer);
    try (PrecomputedHmacSha256 hmac = PrecomputedHmacSha256.of(key)) {
      hmac.mac(buffer, 0, buffer.length, buffer, 10);
    }
    assertThat(Arrays.copyOfRange(buffer, 10, 42)).isEqualTo(expected);
  }

  @Test
  void oneKeyServesManyThreadsAtOnceIncludingVirtualOnes() throws Exception {
    byte[] key = bytes(new Random(5), 32);
    Mac jdk = Mac.getInstance("HmacSHA256");
    jdk.init(new SecretKeySpec(key, "HmacSHA256"));
    try (PrecomputedHmacSha256 hmac = PrecomputedHmacSha256.of(key);
        ExecutorService platform = Executors.newFixedThreadPool(4);
        ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int seed = t;
        Callable<Integer> work =
            () -> {
              Random random = new Random(seed);
              Mac mine = (Mac) jdk.clone();
              for (int i = 0; i < 2_000; i++) {
                byte[] message = bytes(random, random.nextInt(150));
                byte[] out = new byte[32];
                hmac.mac(message, 0, message.length, out, 0);
                if (!Arrays.equals(out, mine.doFinal(message))) {
                  return i;
                }
              }
              return -1;
            };
        results.add((t % 2 == 0 ? platform : virtual).submit(work));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get()).as("first wrong MAC").isEqualTo(-1);
      }
    }
  }

  @Test
  void aClosedKeyRefusesToMac() {
    PrecomputedHmacSha256 hmac = PrecomputedHmacSha256.of(new byte[32]);
    hmac.close();
    assertThatThrownBy(() -> hmac.mac(new byte[1], 0, 1, new byte[32], 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void refusesRangesOutsideTheArrays() {
    try (PrecomputedHmacSha256 hmac = PrecomputedHmacSha256.of(new byte[32])) {
      assertThatThrownBy(() -> hmac.mac(new byte[10], 5, 6, new byte[32], 0))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> hmac.mac(new byte[10], 0, 10, new byte[40], 9))
          .isInstanceOf(IndexOutOfBoundsException.class);
      assertThatThrownBy(() -> hmac.expandFirstBlock(new byte[3], new byte[4], 2, 3, new byte[32], 0))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  private static byte[] bytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] repeated(byte value, int length) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, value);
    return bytes;
  }
}
