package com.plugsky.crypto.keyref;

import com.plugsky.crypto.InvalidInputException;
import java.util.Arrays;

/** RFC 3986 percent-encoding with the character sets RFC 7512 allows unencoded. */
final class PercentEncoding {
  private static final String UNRESERVED =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  private static final String RESERVED_AVAILABLE = ":[]@!$'()*+,=";
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** The two parts of a PKCS#11 URI, each with the characters that may stand unencoded in it. */
  enum Component {
    /** {@code ;} separates path attributes and {@code ?} ends the path. */
    PATH("path", UNRESERVED + RESERVED_AVAILABLE + "&"),
    /** {@code &} separates query attributes. */
    QUERY("query", UNRESERVED + RESERVED_AVAILABLE + "/?|");

    private final String label;
    private final String literals;

    Component(String label, String literals) {
      this.label = label;
      this.literals = literals;
    }
  }

  private PercentEncoding() {}

  /**
   * Decodes {@code text}, the value of attribute {@code name}; a secret value's characters are kept
   * out of the error message.
   *
   * @throws InvalidInputException for a character that must be encoded in {@code component} or a
   *     {@code %} not followed by two hex digits
   */
  static byte[] decode(String text, Component component, String name, boolean secret) {
    byte[] out = new byte[text.length()];
    int length = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        int high = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
        int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
        if (high < 0 || low < 0) {
          throw new InvalidInputException(
              "pkcs11: the value of '" + name + "' has a '%' not followed by two hex digits");
        }
        out[length++] = (byte) (high << 4 | low);
        i += 2;
      } else if (component.literals.indexOf(c) >= 0) {
        out[length++] = (byte) c;
      } else {
        throw new InvalidInputException(
            "pkcs11: the value of '"
                + name
                + "' has "
                + (secret ? "a character" : "'" + c + "'")
                + " that must be percent-encoded in the URI's "
                + component.label);
      }
    }
    return Arrays.copyOf(out, length);
  }

  /**
   * Encodes every octet that may not stand literally in {@code component} as upper-case {@code
   * %XX}.
   */
  static String encode(byte[] value, Component component) {
    StringBuilder out = new StringBuilder(value.length * 3);
    for (byte b : value) {
      char c = (char) (b & 0xff);
      if (c < 0x80 && component.literals.indexOf(c) >= 0) {
        out.append(c);
      } else {
        appendEscaped(out, b);
      }
    }
    return out.toString();
  }

  /** Encodes every octet as {@code %XX}. */
  static String encodeAll(byte[] value) {
    StringBuilder out = new StringBuilder(value.length * 3);
    for (byte b : value) {
      appendEscaped(out, b);
    }
    return out.toString();
  }

  private static void appendEscaped(StringBuilder out, byte b) {
    out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
  }
}
