package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads the version 3 golden vectors the way docs/FORMAT.md describes them, with nothing of this
 * library but the JSON: the header walked field by field, the key schedule as RFC 5869 HMACs from
 * {@code javax.crypto.Mac}, the commitment compared, and every frame opened by the JDK's AES-GCM
 * under the documented nonce and AAD. A second implementation of the page, so that the page and the
 * code cannot drift apart.
 */
class Version3SpecTest {
  private static final HexFormat HEX = HexFormat.of();

  @ParameterizedTest
  @ValueSource(strings = {"empty-plaintext", "one-frame", "multi-frame", "whole-frames", "multi-key"})
  void theDocumentedLayoutAndKeyScheduleOpenTheVector(String name)
      throws GeneralSecurityException, IOException {
    JsonNode vector = vector(name);
    byte[] message = HEX.parseHex(vector.get("message").asText());
    byte[] dataKey = HEX.parseHex(vector.get("dataKey").asText());

    assertThat(Arrays.copyOf(message, 5)).containsExactly(0x50, 0x53, 0x45, 3, 3);
    int frameSize = 1 << message[5];
    byte[] messageId = Arrays.copyOfRange(message, 6, 38);
    int[] at = {38};
    int pairs = varint(message, at);
    for (int i = 0; i < 2 * pairs; i++) {
      int length = varint(message, at);
      at[0] += length;
    }
    int contextEnd = at[0];
    int entries = message[at[0]++];
    for (int i = 0; i < entries; i++) {
      int keyRefLength = varint(message, at) / 8;
      at[0] += keyRefLength;
      int wrappedLength = varint(message, at);
      at[0] += wrappedLength;
    }
    int commitmentStart = at[0];
    int headerEnd = commitmentStart + 32;

    byte[] prk = hmac(ascii("plugsky envelope v3"), dataKey);
    byte[] commitment =
        hmac(
            prk,
            ascii("plugsky commit"),
            new byte[] {3, 3},
            Arrays.copyOfRange(message, contextEnd, commitmentStart),
            new byte[] {1});
    assertThat(Arrays.copyOfRange(message, commitmentStart, headerEnd)).isEqualTo(commitment);
    byte[] payloadKey =
        hmac(prk, ascii("plugsky payload"), new byte[] {3, 3}, messageId, new byte[] {1});

    ByteArrayOutputStream plaintext = new ByteArrayOutputStream();
    int frame = headerEnd;
    for (int index = 0; ; index++) {
      int word = readInt(message, frame);
      boolean last = word < 0;
      int length = word & 0x7fff_ffff;
      assertThat(length).isLessThanOrEqualTo(frameSize);
      byte[] nonce = new byte[12];
      writeInt(nonce, 8, index);
      byte[] aad = new byte[contextEnd + 5];
      System.arraycopy(message, 0, aad, 0, contextEnd);
      writeInt(aad, contextEnd, index);
      aad[contextEnd + 4] = (byte) (last ? 1 : 0);
      Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
      gcm.init(
          Cipher.DECRYPT_MODE, new SecretKeySpec(payloadKey, "AES"), new GCMParameterSpec(128, nonce));
      gcm.updateAAD(aad);
      plaintext.writeBytes(gcm.doFinal(message, frame + 4, length + 16));
      frame += 4 + length + 16;
      if (last) {
        break;
      }
    }
    assertThat(frame).isEqualTo(message.length);
    assertThat(plaintext.toByteArray()).isEqualTo(HEX.parseHex(vector.get("plaintext").asText()));
  }

  /** The unsigned LEB128 varint at {@code at[0]}, which moves past it. */
  private static int varint(byte[] bytes, int[] at) {
    int value = 0;
    for (int shift = 0; ; shift += 7) {
      int b = bytes[at[0]++] & 0xff;
      value |= (b & 0x7f) << shift;
      if (b < 0x80) {
        return value;
      }
    }
  }

  private static byte[] hmac(byte[] key, byte[]... parts) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    for (byte[] part : parts) {
      mac.update(part);
    }
    return mac.doFinal();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static int readInt(byte[] bytes, int at) {
    return (bytes[at] & 0xff) << 24
        | (bytes[at + 1] & 0xff) << 16
        | (bytes[at + 2] & 0xff) << 8
        | (bytes[at + 3] & 0xff);
  }

  private static void writeInt(byte[] bytes, int at, int value) {
    bytes[at] = (byte) (value >>> 24);
    bytes[at + 1] = (byte) (value >>> 16);
    bytes[at + 2] = (byte) (value >>> 8);
    bytes[at + 3] = (byte) value;
  }

  private static JsonNode vector(String name) throws IOException {
    try (InputStream in =
        Version3SpecTest.class.getResourceAsStream("/golden/envelope-v3.json")) {
      for (JsonNode vector : new ObjectMapper().readTree(in).get("vectors")) {
        if (vector.get("name").asText().equals(name)) {
          return vector;
        }
      }
    }
    throw new IllegalStateException("no vector " + name);
  }
}
