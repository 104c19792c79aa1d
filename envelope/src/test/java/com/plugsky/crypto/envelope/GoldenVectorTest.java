package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.KeyRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden vectors of docs/FORMAT.md, byte for byte: each valid one decrypts to its plaintext and
 * re-encrypts, from its fixed data key, message id and wrapped keys, to exactly its message on
 * every engine; each invalid one fails with its error. Versions 1 and 2 are still read, so their
 * vectors stay.
 */
class GoldenVectorTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final List<Integer> VERSIONS =
      List.of(Format.VERSION_1, Format.VERSION_2, Format.VERSION_3);
  private static final JsonNode FILE = load(Format.VERSION_1);

  @TempDir Path keys;
  private Envelope reader;

  @BeforeEach
  void installTheVectorKeks() {
    Envelope.Builder builder = Envelope.builder().keyWrapper(TestKeks.wrapper(keys));
    FILE.get("keks")
        .properties()
        .forEach(
            kek -> {
              KeyRef keyRef = KeyRef.parse(kek.getKey());
              TestKeks.writeKek(
                  keys,
                  keyRef.toString().substring("local:".length()),
                  HEX.parseHex(kek.getValue().asText()));
              builder.kek(keyRef);
            });
    reader = builder.build();
  }

  @Test
  void coverSingleAndMultiFrameMultiKeyAndInvalidMessages() {
    for (int version : VERSIONS) {
      List<String> names = new ArrayList<>();
      load(version).get("vectors").forEach(v -> names.add(v.get("name").asText()));
      assertThat(names)
          .as("version %d", version)
          .contains(
              "empty-plaintext",
              "one-frame",
              "multi-frame",
              "whole-frames",
              "multi-key",
              "commitment-mismatch");
      assertThat(names).hasSizeGreaterThanOrEqualTo(14);
    }
  }

  @Test
  void everyFileUsesTheSameKeks() {
    assertThat(load(Format.VERSION_2).get("keks")).isEqualTo(FILE.get("keks"));
    assertThat(load(Format.VERSION_3).get("keks")).isEqualTo(FILE.get("keks"));
  }

  @Test
  void version3NamesTheFailuresItsLayoutAdds() {
    List<String> names = new ArrayList<>();
    load(Format.VERSION_3).get("vectors").forEach(v -> names.add(v.get("name").asText()));
    assertThat(names)
        .contains("commitment-flipped", "message-id-flipped", "unopened-wrapped-key-flipped");
  }

  @TestFactory
  Stream<DynamicTest> everyVector() {
    List<DynamicTest> tests = new ArrayList<>();
    for (int version : VERSIONS) {
      for (JsonNode vector : load(version).get("vectors")) {
        tests.add(
            DynamicTest.dynamicTest(
                "v" + version + " " + vector.get("name").asText(), () -> check(version, vector)));
      }
    }
    return tests.stream();
  }

  private void check(int version, JsonNode vector) throws IOException {
    EncryptionContext context = context(vector.get("context"));
    byte[] message = HEX.parseHex(vector.get("message").asText());
    switch (vector.get("result").asText()) {
      case "OK" -> checkValid(version, vector, context, message);
      case "AUTHENTICATION_FAILED" ->
          checkInvalid(context, message, AuthenticationFailedException.class);
      case "MALFORMED" -> checkInvalid(context, message, MalformedCiphertextException.class);
      default -> throw new AssertionError("unknown result " + vector.get("result"));
    }
  }

  /** An invalid vector fails with its error one-shot and as a stream read to its end. */
  private void checkInvalid(
      EncryptionContext context, byte[] message, Class<? extends Exception> expected) {
    assertThatThrownBy(() -> reader.decrypt(message, context)).isInstanceOf(expected);
    assertThatThrownBy(
            () -> {
              try (InputStream in =
                  reader.decryptingStream(new ByteArrayInputStream(message), context)) {
                in.transferTo(OutputStream.nullOutputStream());
              }
            })
        .as("as a stream")
        .isInstanceOf(expected);
  }

  private void checkValid(int version, JsonNode vector, EncryptionContext context, byte[] message)
      throws IOException {
    byte[] plaintext = HEX.parseHex(vector.get("plaintext").asText());
    byte[] dataKey = HEX.parseHex(vector.get("dataKey").asText());
    byte[] messageId = HEX.parseHex(vector.get("messageId").asText());
    int frameExponent = vector.get("frameSizeExponent").asInt();
    List<Header.Entry> entries = new ArrayList<>();
    vector
        .get("wrappedKeys")
        .forEach(
            e ->
                entries.add(
                    new Header.Entry(
                        e.get("keyRef").asText(), HEX.parseHex(e.get("wrapped").asText()))));

    assertThat(reader.decrypt(message, context)).isEqualTo(plaintext);
    try (InputStream stream = reader.decryptingStream(new ByteArrayInputStream(message), context)) {
      assertThat(stream.readAllBytes()).as("through a decrypting stream").isEqualTo(plaintext);
    }
    EnvelopeHeader header = Envelope.inspect(message);
    assertThat(header.messageId()).isEqualTo(vector.get("messageId").asText());
    assertThat(header.frameSize()).isEqualTo(1 << frameExponent);
    assertThat(header.context()).isEqualTo(context);
    assertThat(header.version()).isEqualTo(version);
    for (AeadEngine engine : Engines.available()) {
      assertThat(
              Envelope.seal(
                  version, engine, frameExponent, dataKey, messageId, context, entries, plaintext))
          .as("re-encrypted on engine %s", engine.name())
          .isEqualTo(message);
    }
  }

  @Test
  void everyVersionRewrapsIntoItsOwnVersionLeavingTheBodyAsItWas() {
    for (int version : VERSIONS) {
      JsonNode vector = named(version, "multi-key");
      EncryptionContext context = context(vector.get("context"));
      byte[] message = HEX.parseHex(vector.get("message").asText());
      KeyRef us = KeyRef.parse(GoldenVectorGenerator.US);

      byte[] rewrapped = reader.rewrap(message, context, List.of(us));

      EnvelopeHeader before = Envelope.inspect(message);
      EnvelopeHeader after = Envelope.inspect(rewrapped);
      assertThat(after.version()).as("version %d", version).isEqualTo(version);
      assertThat(after.wrappedKeys())
          .extracting(EnvelopeHeader.WrappedKeyInfo::keyRef)
          .containsExactly(us.toString());
      assertThat(Arrays.copyOfRange(rewrapped, after.headerLength(), rewrapped.length))
          .isEqualTo(Arrays.copyOfRange(message, before.headerLength(), message.length));
      assertThat(reader.decrypt(rewrapped, context))
          .isEqualTo(HEX.parseHex(vector.get("plaintext").asText()));
    }
  }

  private static JsonNode named(int version, String name) {
    for (JsonNode vector : load(version).get("vectors")) {
      if (vector.get("name").asText().equals(name)) {
        return vector;
      }
    }
    throw new IllegalStateException("no vector " + name + " in version " + version);
  }

  private static EncryptionContext context(JsonNode pairs) {
    EncryptionContext.Builder builder = EncryptionContext.builder();
    pairs.forEach(pair -> builder.put(pair.get(0).asText(), pair.get(1).asText()));
    return builder.build();
  }

  private static JsonNode load(int version) {
    String name = "golden/envelope-v" + version + ".json";
    try (InputStream in = GoldenVectorTest.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the test resources");
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
