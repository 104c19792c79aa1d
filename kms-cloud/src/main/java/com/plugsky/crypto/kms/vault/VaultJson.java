package com.plugsky.crypto.kms.vault;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.plugsky.crypto.KeyUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;

/**
 * The JSON of Vault's requests and responses. Data keys are written and read as base64 straight
 * from and to byte arrays (never a {@code String}), in buffers this class zeroes or hands to the
 * caller to zero.
 */
final class VaultJson {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private VaultJson() {}

  /** Writes one request object; {@code fields} adds its members. */
  static byte[] object(Fields fields) {
    ZeroingBuffer buffer = new ZeroingBuffer();
    try (JsonGenerator generator = FACTORY.createGenerator(buffer)) {
      generator.writeStartObject();
      fields.write(generator);
      generator.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return buffer.toByteArray();
    } finally {
      buffer.zero();
    }
  }

  /** Members of a request object. */
  @FunctionalInterface
  interface Fields {
    void write(JsonGenerator generator) throws IOException;
  }

  /** A response's {@code data.ciphertext} and {@code data.plaintext} (base64-decoded). */
  record Data(Optional<String> ciphertext, Optional<byte[]> plaintext) {}

  /**
   * Reads {@code data.ciphertext} and {@code data.plaintext} without making a string of the key.
   */
  static Data data(byte[] json) {
    String ciphertext = null;
    byte[] plaintext = null;
    try (JsonParser parser = FACTORY.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw malformed();
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (!name.equals("data") || value != JsonToken.START_OBJECT) {
          parser.skipChildren();
          continue;
        }
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String field = parser.currentName();
          JsonToken fieldValue = parser.nextToken();
          if (field.equals("ciphertext") && fieldValue == JsonToken.VALUE_STRING) {
            ciphertext = parser.getText();
          } else if (field.equals("plaintext") && fieldValue == JsonToken.VALUE_STRING) {
            plaintext = parser.getBinaryValue();
          } else {
            parser.skipChildren();
          }
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      if (plaintext != null) {
        Arrays.fill(plaintext, (byte) 0);
      }
      throw new KeyUnavailableException("Vault answered with malformed JSON", e);
    }
    return new Data(Optional.ofNullable(ciphertext), Optional.ofNullable(plaintext));
  }

  /** A response without secrets (key metadata, login, errors) as a tree; missing nodes if bad. */
  static JsonNode tree(byte[] json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      return node == null ? MAPPER.missingNode() : node;
    } catch (IOException e) {
      return MAPPER.missingNode();
    }
  }

  /** Vault's first error message, shortened and limited to printable ASCII, for exceptions. */
  static String firstError(byte[] json) {
    JsonNode first = tree(json).path("errors").path(0);
    if (!first.isTextual()) {
      return "no error message";
    }
    String text = first.asText().replaceAll("[^\\x20-\\x7e]", "?");
    return text.length() <= 200 ? text : text.substring(0, 200) + "...";
  }

  private static KeyUnavailableException malformed() {
    return new KeyUnavailableException("Vault answered with something other than a JSON object");
  }

  /** A byte buffer whose backing array can be zeroed once its contents have been copied out. */
  private static final class ZeroingBuffer extends ByteArrayOutputStream {
    void zero() {
      Arrays.fill(buf, (byte) 0);
    }
  }
}
