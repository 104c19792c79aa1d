package com.plugsky.crypto.envelope;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code src/test/resources/golden/envelope-vN.json}, the golden vectors of docs/FORMAT.md for
 * format version N (1, 2 or 3).
 *
 * <p>Every input is fixed: KEKs, data keys, message ids and plaintexts are SHA-256 of a label
 * (truncated or repeated to length), so anyone can recompute them. The one input that is not fixed
 * is the local wrapper's salt, drawn at random by {@link LocalKeyWrapper} on each wrap: the wrapped
 * bytes it produced are therefore recorded as inputs of each vector. Regenerating thus gives new
 * bytes; the committed file is the reference, and {@link GoldenVectorTest} checks it.
 *
 * <p>Run from the envelope module after {@code mvn test-compile}, with the test classpath:
 *
 * <pre>
 *   java -cp target/test-classes:target/classes:$(cat target/classpath.txt) \
 *       com.plugsky.crypto.envelope.GoldenVectorGenerator 2 src/test/resources/golden/envelope-v2.json
 * </pre>
 *
 * where {@code target/classpath.txt} comes from {@code mvn dependency:build-classpath
 * -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test}.
 */
final class GoldenVectorGenerator {
  static final String EU = "local:golden-eu";
  static final String US = "local:golden-us";
  static final String FUTURE = "x-future-kms:key/0001";

  private final AeadEngine engine = Engines.named("jdk");
  private final int version;
  private final LocalKeyWrapper wrapper;
  private final List<Map<String, Object>> vectors = new ArrayList<>();

  private GoldenVectorGenerator(int version, Path keyDirectory) {
    this.version = version;
    this.wrapper = LocalKeyWrapper.builder().keyDirectory(keyDirectory).build();
  }

  public static void main(String[] args) throws IOException {
    int version = Integer.parseInt(args[0]);
    Path out = Path.of(args[1]);
    Path keyDirectory = Files.createTempDirectory("golden-keks");
    for (String kek : List.of(EU, US)) {
      TestKeks.writeKek(keyDirectory, kek.substring("local:".length()), kek(kek));
    }
    GoldenVectorGenerator generator = new GoldenVectorGenerator(version, keyDirectory);
    generator.generate();
    Map<String, Object> file = new LinkedHashMap<>();
    file.put(
        "format",
        "Plugsky envelope message format version "
            + version
            + ", suite "
            + Format.suiteOf(version)
            + ": docs/FORMAT.md");
    file.put(
        "generator",
        "envelope/src/test/java/com/plugsky/crypto/envelope/GoldenVectorGenerator.java; checked by"
            + " GoldenVectorTest");
    file.put(
        "inputs",
        "kek, dataKey, messageId and plaintext are SHA-256(label) cut or repeated to length;"
            + " wrappedKeys are inputs because the local wrapper salts at random");
    Map<String, String> keks = new LinkedHashMap<>();
    keks.put(EU, hex(kek(EU)));
    keks.put(US, hex(kek(US)));
    file.put("keks", keks);
    file.put("vectors", generator.vectors);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), file);
    for (String kek : List.of(EU, US)) {
      Files.delete(keyDirectory.resolve(kek.substring("local:".length()) + ".kek"));
    }
    Files.delete(keyDirectory);
  }

  private void generate() {
    EncryptionContext twoPairs = EncryptionContext.of("tenant", "acme", "purpose", "orders");
    Map<String, Object> empty =
        valid(
            "empty-plaintext",
            "the empty plaintext: one empty final frame",
            EncryptionContext.empty(),
            16,
            0,
            EU);
    valid("one-frame", "a short plaintext in one final frame", twoPairs, 16, 24, EU);
    Map<String, Object> multiFrame =
        valid(
            "multi-frame",
            "53 bytes in 16-byte frames: three full frames and a final one of 5 bytes",
            twoPairs,
            4,
            53,
            EU);
    valid(
        "whole-frames",
        "32 bytes in 16-byte frames: the second full frame is the final one",
        twoPairs,
        4,
        32,
        EU);
    Map<String, Object> multiKey =
        valid(
        "multi-key",
        "wrapped under two regions and a scheme this library does not know, which readers skip",
        EncryptionContext.of("region", "eu-west-1"),
        5,
        70,
        FUTURE,
        EU,
        US);

    byte[] message = bytes(multiFrame.get("message"));
    int header = Envelope.inspect(message).headerLength();
    int frame = 4 + 16 + 16;

    byte[] tag = message.clone();
    tag[header - 1] ^= 0x01;
    if (version == Format.VERSION_3) {
      invalid(
          "commitment-flipped",
          "the last byte of the key commitment flipped",
          multiFrame,
          tag,
          "AUTHENTICATION_FAILED");
    } else {
      invalid(
          "header-tag-flipped",
          "the last byte of the header tag flipped",
          multiFrame,
          tag,
          "AUTHENTICATION_FAILED");
    }

    byte[] messageId = message.clone();
    messageId[Format.MESSAGE_ID_OFFSET] ^= 0x01;
    invalid(
        "message-id-flipped",
        "the first byte of the message id flipped",
        multiFrame,
        messageId,
        "AUTHENTICATION_FAILED");

    byte[] multiKeyMessage = bytes(multiKey.get("message"));
    byte[] unused = entries(multiKey).getFirst().wrapped();
    int unusedAt = indexOf(multiKeyMessage, unused);
    byte[] unusedFlipped = multiKeyMessage.clone();
    unusedFlipped[unusedAt] ^= 0x01;
    invalid(
        "unopened-wrapped-key-flipped",
        "a byte of the wrapped key under "
            + FUTURE
            + " flipped: a reader that opens the message with another entry must still refuse it",
        multiKey,
        unusedFlipped,
        "AUTHENTICATION_FAILED");

    // Where the first context value ('acme') starts, and where the wrapped key count is.
    int acme = version == Format.VERSION_1 ? 40 + 2 + 2 + 6 + 2 : 38 + 1 + 1 + 6 + 1;
    int count = version == Format.VERSION_1 ? 40 + 33 : 38 + 28;
    byte[] context = message.clone();
    context[acme] ^= 0x20;
    invalid(
        "context-changed",
        "the stored context's value 'acme' changed to 'Acme'",
        multiFrame,
        context,
        "AUTHENTICATION_FAILED");

    invalid(
        "final-frame-missing",
        "the final frame removed",
        multiFrame,
        Arrays.copyOf(message, header + 3 * frame),
        "MALFORMED");

    byte[] cut = Arrays.copyOf(message, header + 3 * frame);
    cut[header + 2 * frame] |= (byte) 0x80;
    invalid(
        "truncated-and-marked-final",
        "the final frame removed and frame 2 marked final",
        multiFrame,
        cut,
        "AUTHENTICATION_FAILED");

    byte[] swapped = message.clone();
    System.arraycopy(message, header, swapped, header + frame, frame);
    System.arraycopy(message, header + frame, swapped, header, frame);
    invalid(
        "frames-swapped", "frames 0 and 1 swapped", multiFrame, swapped, "AUTHENTICATION_FAILED");

    invalid(
        "trailing-byte",
        "one zero byte after the final frame",
        multiFrame,
        Arrays.copyOf(message, message.length + 1),
        "MALFORMED");

    byte[] hugeFrames = message.clone();
    hugeFrames[5] = 40;
    invalid(
        "frame-size-2^40",
        "the frame size exponent set to 40",
        multiFrame,
        hugeFrames,
        "MALFORMED");

    byte[] manyKeys = message.clone();
    manyKeys[count] = (byte) 255;
    invalid(
        "255-wrapped-keys", "the wrapped key count set to 255", multiFrame, manyKeys, "MALFORMED");

    if (version != Format.VERSION_1) {
      int wrappedLength = count + 1 + 1 + "golden-eu".length();
      byte[] redundant = new byte[message.length + 1];
      System.arraycopy(message, 0, redundant, 0, wrappedLength);
      redundant[wrappedLength] = (byte) (message[wrappedLength] | 0x80);
      System.arraycopy(
          message, wrappedLength + 1, redundant, wrappedLength + 2, message.length - wrappedLength - 1);
      invalid(
          "non-minimal-varint",
          "the wrapped length 73 written as the two-byte varint c9 00",
          multiFrame,
          redundant,
          "MALFORMED");
    }

    byte[] otherEntry =
        Envelope.seal(
                version,
                engine,
                16,
                material("other data key", 32),
                bytes(empty.get("messageId")),
                EncryptionContext.empty(),
                List.of(entries(empty).getFirst()),
                new byte[0]);
    invalid(
        "commitment-mismatch",
        "the empty-plaintext vector's wrapped key in a header sealed under another data key",
        empty,
        otherEntry,
        "AUTHENTICATION_FAILED");
  }

  private Map<String, Object> valid(
      String name,
      String description,
      EncryptionContext context,
      int frameExponent,
      int length,
      String... keyRefs) {
    byte[] dataKey = material(name + " data key", 32);
    byte[] messageId = material(name + " message id", 32);
    byte[] plaintext = material(name + " plaintext", length);
    List<Header.Entry> entries = new ArrayList<>();
    for (String keyRef : keyRefs) {
      byte[] wrapped =
          keyRef.startsWith("local:")
              ? wrapper.wrap(KeyRef.parse(keyRef), dataKey, context).bytes()
              : material(name + " " + keyRef, 60);
      entries.add(new Header.Entry(keyRef, wrapped));
    }
    byte[] message =
        Envelope.seal(
            version, engine, frameExponent, dataKey, messageId, context, entries, plaintext);
    Map<String, Object> vector = new LinkedHashMap<>();
    vector.put("name", name);
    vector.put("description", description);
    vector.put("result", "OK");
    vector.put("dataKey", hex(dataKey));
    vector.put("messageId", hex(messageId));
    vector.put(
        "context",
        context.asMap().entrySet().stream().map(e -> List.of(e.getKey(), e.getValue())).toList());
    vector.put("frameSizeExponent", frameExponent);
    vector.put("wrappedKeys", entries.stream().map(GoldenVectorGenerator::entryJson).toList());
    vector.put("plaintext", hex(plaintext));
    vector.put("message", hex(message));
    vectors.add(vector);
    return vector;
  }

  private void invalid(
      String name, String description, Map<String, Object> source, byte[] message, String result) {
    Map<String, Object> vector = new LinkedHashMap<>();
    vector.put("name", name);
    vector.put("description", description + " (from vector " + source.get("name") + ")");
    vector.put("result", result);
    vector.put("context", source.get("context"));
    vector.put("message", hex(message));
    vectors.add(vector);
  }

  private static Map<String, String> entryJson(Header.Entry entry) {
    Map<String, String> json = new LinkedHashMap<>();
    json.put("keyRef", entry.keyRef());
    json.put("wrapped", hex(entry.wrapped()));
    return json;
  }

  @SuppressWarnings("unchecked")
  private static List<Header.Entry> entries(Map<String, Object> vector) {
    return ((List<Map<String, String>>) vector.get("wrappedKeys"))
        .stream()
            .map(e -> new Header.Entry(e.get("keyRef"), HexFormat.of().parseHex(e.get("wrapped"))))
            .toList();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new IllegalStateException("bytes not found in the message");
  }

  static byte[] kek(String keyRef) {
    return material("kek " + keyRef, 32);
  }

  /** SHA-256 of {@code label}, repeated and cut to {@code length} bytes. */
  static byte[] material(String label, int length) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(label.getBytes(StandardCharsets.UTF_8));
      ByteBuffer out = ByteBuffer.allocate(length);
      while (out.hasRemaining()) {
        out.put(digest, 0, Math.min(digest.length, out.remaining()));
      }
      return out.array();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(Object hex) {
    return HexFormat.of().parseHex((String) hex);
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
