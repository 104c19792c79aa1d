package com.plugsky.crypto.context;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.SequencedMap;
import java.util.stream.Collectors;

/**
 * Non-secret key-value pairs (tenant, region, purpose, ...) that are authenticated with the data
 * they travel with: decryption succeeds only under the same context. Never put secrets here;
 * contexts are stored in message headers in the clear and printed in logs and audit records.
 *
 * <p>Pairs keep the order they were added in, and the order is part of the context: {@code (a=1,
 * b=2)} and {@code (b=2, a=1)} are different contexts with different encodings, so callers must add
 * pairs in a fixed order. Keys are unique and non-empty; values may be empty. Neither may hold a
 * control character (U+0000-U+001F, U+007F-U+009F): contexts end up in log lines and audit records,
 * where such characters forge line breaks or hide text. Strings are compared as exact code points,
 * with no Unicode normalisation.
 *
 * <h2>Canonical encoding</h2>
 *
 * {@link #encoded()} is the only byte form, and the one every key wrapper and the envelope format
 * bind:
 *
 * <pre>
 *   count        2 bytes, unsigned big-endian, 0..{@value #MAX_PAIRS}
 *   count times, in insertion order:
 *     keyLength    2 bytes, unsigned big-endian, 1..{@value #MAX_KEY_BYTES}
 *     key          keyLength bytes of UTF-8
 *     valueLength  2 bytes, unsigned big-endian, 0..{@value #MAX_VALUE_BYTES}
 *     value        valueLength bytes of UTF-8
 * </pre>
 *
 * The whole encoding is at most {@value #MAX_ENCODED_BYTES} bytes; the empty context encodes as
 * {@code 00 00}. For example {@code tenant=acme} encodes as {@code 00 01 00 06 74 65 6e 61 6e 74 00
 * 04 61 63 6d 65}. Because UTF-8 is decoded strictly and every rule above is checked, each context
 * has exactly one encoding and {@link #decode(byte[])} accepts nothing else.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class EncryptionContext {
  public static final int MAX_PAIRS = 64;
  public static final int MAX_KEY_BYTES = 256;
  public static final int MAX_VALUE_BYTES = 2048;
  public static final int MAX_ENCODED_BYTES = 8192;

  private static final EncryptionContext EMPTY =
      new EncryptionContext(new LinkedHashMap<>(), new byte[2]);

  private final SequencedMap<String, String> pairs;
  private final byte[] encoded;
  /** Of {@link #encoded}, computed once: contexts key the envelope's data-key cache per message. */
  private final int hash;

  private EncryptionContext(LinkedHashMap<String, String> pairs, byte[] encoded) {
    this.pairs = Collections.unmodifiableSequencedMap(pairs);
    this.encoded = encoded;
    this.hash = Arrays.hashCode(encoded);
  }

  /** The context with no pairs. */
  public static EncryptionContext empty() {
    return EMPTY;
  }

  /**
   * A context of alternating keys and values, in that order: {@code of("tenant", "acme", "purpose",
   * "orders")}.
   *
   * @throws InvalidInputException for an odd number of arguments or any rule above broken
   */
  public static EncryptionContext of(String... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new InvalidInputException(
          "EncryptionContext.of takes keys and values in pairs; got "
              + keysAndValues.length
              + " arguments");
    }
    Builder builder = builder();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      builder.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return builder.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads an encoding that must span all of {@code encoded}.
   *
   * @throws MalformedCiphertextException when the bytes are not exactly one canonical encoding
   */
  public static EncryptionContext decode(byte[] encoded) {
    ByteBuffer buffer = ByteBuffer.wrap(encoded);
    EncryptionContext context = decode(buffer);
    if (buffer.hasRemaining()) {
      throw new MalformedCiphertextException(
          "encryption context encoding has " + buffer.remaining() + " trailing bytes");
    }
    return context;
  }

  /**
   * Reads one encoding from {@code buffer}'s position, e.g. inside a message header, and advances
   * past it; bytes after it are left for the caller. On failure the position is unchanged.
   *
   * @throws MalformedCiphertextException when the bytes there are not a canonical encoding
   */
  public static EncryptionContext decode(ByteBuffer buffer) {
    ByteBuffer in = buffer.slice();
    Builder builder = builder();
    try {
      int count = Short.toUnsignedInt(in.getShort());
      if (count > MAX_PAIRS) {
        throw new MalformedCiphertextException(
            "encryption context encoding claims "
                + count
                + " pairs; at most "
                + MAX_PAIRS
                + " are allowed");
      }
      for (int i = 0; i < count; i++) {
        String key = readString(in, "key", MAX_KEY_BYTES, i);
        String value = readString(in, "value", MAX_VALUE_BYTES, i);
        builder.put(key, value);
      }
    } catch (BufferUnderflowException e) {
      throw new MalformedCiphertextException("encryption context encoding is truncated", e);
    } catch (MalformedCiphertextException e) {
      throw e;
    } catch (InvalidInputException e) {
      throw new MalformedCiphertextException(
          "encryption context encoding is invalid: " + e.getMessage(), e);
    }
    EncryptionContext context = builder.build();
    buffer.position(buffer.position() + in.position());
    return context;
  }

  private static String readString(ByteBuffer in, String what, int maxBytes, int pair) {
    int length = Short.toUnsignedInt(in.getShort());
    if (length > maxBytes) {
      throw new MalformedCiphertextException(
          "encryption context encoding: "
              + what
              + " of pair "
              + pair
              + " claims "
              + length
              + " bytes; at most "
              + maxBytes
              + " are allowed");
    }
    if (length > in.remaining()) {
      throw new BufferUnderflowException();
    }
    ByteBuffer bytes = in.slice(in.position(), length);
    in.position(in.position() + length);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedCiphertextException(
          "encryption context encoding: " + what + " of pair " + pair + " is not valid UTF-8", e);
    }
  }

  /** The pairs in insertion order; unmodifiable. */
  public SequencedMap<String, String> asMap() {
    return pairs;
  }

  /** The canonical encoding described above; a fresh copy. */
  public byte[] encoded() {
    return encoded.clone();
  }

  /** Equal when the pairs and their order are equal, i.e. when the encodings are. */
  @Override
  public boolean equals(Object other) {
    return other instanceof EncryptionContext that && Arrays.equals(encoded, that.encoded);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  /**
   * The pairs, e.g. {@code EncryptionContext{tenant=acme, purpose=orders}}; they are not secret.
   */
  @Override
  public String toString() {
    return pairs.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", ", "EncryptionContext{", "}"));
  }

  /** Collects pairs in order; checks each as it is added. Not thread-safe. */
  public static final class Builder {
    private final LinkedHashMap<String, String> pairs = new LinkedHashMap<>();
    private int encodedLength = 2;

    private Builder() {}

    /**
     * Adds a pair after those already added.
     *
     * @throws InvalidInputException for a duplicate or empty key, a control character or unpaired
     *     surrogate, or a size limit passed
     */
    public Builder put(String key, String value) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
      if (key.isEmpty()) {
        throw new InvalidInputException("encryption context keys must not be empty");
      }
      if (pairs.containsKey(key)) {
        throw new InvalidInputException("encryption context key '" + key + "' is given twice");
      }
      if (pairs.size() == MAX_PAIRS) {
        throw new InvalidInputException(
            "an encryption context holds at most " + MAX_PAIRS + " pairs");
      }
      byte[] keyBytes = utf8(key, "key", null);
      byte[] valueBytes = utf8(value, "value", key);
      if (keyBytes.length > MAX_KEY_BYTES) {
        throw new InvalidInputException(
            "encryption context key is "
                + keyBytes.length
                + " UTF-8 bytes; the limit is "
                + MAX_KEY_BYTES);
      }
      if (valueBytes.length > MAX_VALUE_BYTES) {
        throw new InvalidInputException(
            "encryption context value of '"
                + key
                + "' is "
                + valueBytes.length
                + " UTF-8 bytes; the limit is "
                + MAX_VALUE_BYTES);
      }
      int length = encodedLength + 4 + keyBytes.length + valueBytes.length;
      if (length > MAX_ENCODED_BYTES) {
        throw new InvalidInputException(
            "encryption context would encode to "
                + length
                + " bytes; the limit is "
                + MAX_ENCODED_BYTES);
      }
      pairs.put(key, value);
      encodedLength = length;
      return this;
    }

    public EncryptionContext build() {
      if (pairs.isEmpty()) {
        return EMPTY;
      }
      ByteBuffer out = ByteBuffer.allocate(encodedLength);
      out.putShort((short) pairs.size());
      for (var pair : pairs.entrySet()) {
        // put() has refused unpaired surrogates, so getBytes cannot substitute anything here.
        byte[] key = pair.getKey().getBytes(StandardCharsets.UTF_8);
        byte[] value = pair.getValue().getBytes(StandardCharsets.UTF_8);
        out.putShort((short) key.length).put(key);
        out.putShort((short) value.length).put(value);
      }
      return new EncryptionContext(new LinkedHashMap<>(pairs), out.array());
    }

    /** Strict UTF-8, refusing control characters; {@code owner} names the key of a value. */
    private static byte[] utf8(String text, String what, String owner) {
      String which =
          owner == null
              ? "an encryption context key"
              : "the encryption context value of '" + owner + "'";
      for (int i = 0; i < text.length(); i++) {
        if (Character.isISOControl(text.charAt(i))) {
          throw new InvalidInputException(
              which
                  + " has a control character (U+"
                  + String.format("%04X", (int) text.charAt(i))
                  + ") at index "
                  + i
                  + "; "
                  + what
                  + "s must be printable");
        }
      }
      try {
        ByteBuffer bytes =
            StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(text));
        return Arrays.copyOf(bytes.array(), bytes.limit());
      } catch (CharacterCodingException e) {
        throw new InvalidInputException(
            which + " has an unpaired surrogate and so has no UTF-8 form", e);
      }
    }
  }
}
