package com.plugsky.crypto.pkcs11;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.primitive.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where a token's user PIN comes from. It is asked for the PIN each time the token needs a login
 * (once per token, again after the token logged the library out), and the caller zeroes the
 * returned array right after use; no PIN is ever kept, logged or put into a message.
 */
@FunctionalInterface
public interface PinSource {

  /** A fresh copy of the PIN; the caller zeroes it. */
  char[] pin();

  /** The token needs no login (or is logged in by other means). */
  PinSource NONE = () -> null;

  /** The PIN in environment variable {@code name}, read at each login. */
  static PinSource environment(String name) {
    Objects.requireNonNull(name, "name");
    return () -> {
      String value = System.getenv(name);
      if (value == null) {
        throw new ConfigurationException("PIN environment variable " + name + " is not set");
      }
      return value.toCharArray();
    };
  }

  /**
   * The PIN in a UTF-8 file (e.g. a mounted secret), read at each login; one trailing line break is
   * ignored.
   */
  static PinSource file(Path file) {
    Objects.requireNonNull(file, "file");
    return () -> {
      byte[] bytes = null;
      try {
        bytes = Files.readAllBytes(file);
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\n') {
          length--;
        }
        if (length > 0 && bytes[length - 1] == '\r') {
          length--;
        }
        CharBuffer chars =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, 0, length));
        char[] pin = Arrays.copyOf(chars.array(), chars.limit());
        Arrays.fill(chars.array(), '\0');
        return pin;
      } catch (CharacterCodingException e) {
        throw new ConfigurationException("PIN file " + file + " is not UTF-8");
      } catch (IOException e) {
        throw new ConfigurationException(
            "cannot read PIN file " + file + ": " + e.getClass().getSimpleName());
      } finally {
        Bytes.zero(bytes);
      }
    };
  }

  /** A PIN held by the caller, e.g. from a callback or vault client; copied now and per login. */
  static PinSource of(char[] pin) {
    char[] held = Objects.requireNonNull(pin, "pin").clone();
    return held::clone;
  }

  /**
   * The PIN source an RFC 7512 {@code pin-source} names: {@code file:/path} (or a plain absolute
   * path), or {@code env:NAME} (a library extension; RFC 7512 leaves the scheme open).
   *
   * @throws InvalidInputException for any other form
   */
  static PinSource fromUri(String pinSource) {
    Objects.requireNonNull(pinSource, "pinSource");
    if (pinSource.startsWith("env:") && pinSource.length() > 4) {
      return environment(pinSource.substring(4));
    }
    if (pinSource.startsWith("file:")) {
      String path = pinSource.substring(5);
      while (path.startsWith("//")) {
        path = path.substring(1);
      }
      return file(Path.of(path));
    }
    if (pinSource.startsWith("/")) {
      return file(Path.of(pinSource));
    }
    throw new InvalidInputException(
        "pkcs11 pin-source must be file:/path, an absolute path or env:NAME");
  }
}
