package com.plugsky.crypto.audit;

import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * A deliberately small JSON codec for the flat objects of the audit log: one object whose values
 * are strings, integers (fitting a {@code long}) or {@code null}. Nothing else is read or written,
 * so crypto-api needs no JSON library.
 *
 * <p>Writing is canonical: no whitespace, fields in the order they are added, and one escaping of
 * each character. Quote, backslash and the C0 controls are escaped ({@code \n}, {@code \r},
 * {@code \t}, {@code \b}, {@code \f} short forms, <code>&#92;u00XX</code> otherwise); so are DEL,
 * the C1 controls, U+2028, U+2029 and unpaired surrogates, so a line can hold neither a line break
 * nor a terminal control sequence nor a character that has no UTF-8 form. Every other character,
 * ASCII or not, is written as itself (UTF-8 once encoded).
 *
 * <p>Reading is strict RFC 8259 for that subset: duplicate names, trailing content, leading zeros,
 * fractions, exponents, raw control characters in strings and bad escapes are all rejected. JSON
 * whitespace between tokens is accepted; the audit log rejects it later by comparing a line with
 * its canonical form.
 */
final class FlatJson {
  private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

  private FlatJson() {}

  /** Builds one canonical flat object. */
  static final class ObjectWriter {
    private final StringBuilder out = new StringBuilder(384).append('{');
    private boolean first = true;

    ObjectWriter string(String name, String value) {
      name(name);
      if (value == null) {
        out.append("null");
      } else {
        quote(out, value);
      }
      return this;
    }

    ObjectWriter string(String name, Optional<String> value) {
      return string(name, value.orElse(null));
    }

    ObjectWriter number(String name, long value) {
      name(name);
      out.append(value);
      return this;
    }

    /** Writes a value as read by {@link #parseObject}: a String, a Long or null. */
    ObjectWriter value(String name, Object value) {
      return switch (value) {
        case null -> string(name, (String) null);
        case String s -> string(name, s);
        case Long l -> number(name, l);
        default -> throw new IllegalArgumentException(
            "field " + name + " has unsupported type " + value.getClass().getName());
      };
    }

    String end() {
      return out.append('}').toString();
    }

    private void name(String name) {
      if (!first) {
        out.append(',');
      }
      first = false;
      quote(out, name);
      out.append(':');
    }
  }

  /** Appends {@code value} as a JSON string literal, quotes included. */
  static void quote(StringBuilder out, String value) {
    out.append('"');
    int n = value.length();
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
            unicodeEscape(out, c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < n
              && Character.isLowSurrogate(value.charAt(i + 1))) {
            out.append(c).append(value.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            unicodeEscape(out, c);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static void unicodeEscape(StringBuilder out, char c) {
    out.append("\\u")
        .append(HEX_DIGITS[(c >> 12) & 0xf])
        .append(HEX_DIGITS[(c >> 8) & 0xf])
        .append(HEX_DIGITS[(c >> 4) & 0xf])
        .append(HEX_DIGITS[c & 0xf]);
  }

  /**
   * Parses one flat object. Values come back as {@link String}, {@link Long} or {@code null}, in
   * document order.
   *
   * @throws MalformedJsonException naming the offset and what was wrong
   */
  static LinkedHashMap<String, Object> parseObject(String text) throws MalformedJsonException {
    return new Parser(text).object();
  }

  /** The text is not a flat JSON object of the supported kind. */
  static final class MalformedJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedJsonException(String message, int offset) {
      super(message + " at offset " + offset);
    }
  }

  private static final class Parser {
    private final String s;
    private int pos;

    Parser(String s) {
      this.s = s;
    }

    LinkedHashMap<String, Object> object() throws MalformedJsonException {
      var fields = new LinkedHashMap<String, Object>();
      skipWhitespace();
      expect('{');
      skipWhitespace();
      if (peek() == '}') {
        pos++;
      } else {
        while (true) {
          skipWhitespace();
          int nameAt = pos;
          if (peek() != '"') {
            throw fail("expected a field name");
          }
          String name = string();
          skipWhitespace();
          expect(':');
          skipWhitespace();
          Object value = value();
          if (fields.containsKey(name)) {
            throw new MalformedJsonException("duplicate field \"" + name + "\"", nameAt);
          }
          fields.put(name, value);
          skipWhitespace();
          int c = next();
          if (c == '}') {
            break;
          }
          if (c != ',') {
            pos--;
            throw fail("expected ',' or '}'");
          }
        }
      }
      skipWhitespace();
      if (pos != s.length()) {
        throw fail("trailing content after the object");
      }
      return fields;
    }

    private Object value() throws MalformedJsonException {
      int c = peek();
      if (c == '"') {
        return string();
      }
      if (c == '-' || (c >= '0' && c <= '9')) {
        return integer();
      }
      if (s.startsWith("null", pos)) {
        pos += 4;
        return null;
      }
      if (c == '{' || c == '[' || c == 't' || c == 'f') {
        throw fail("only strings, integers and null are used in audit lines");
      }
      throw fail(c < 0 ? "unexpected end of input" : "expected a value");
    }

    private Long integer() throws MalformedJsonException {
      int start = pos;
      if (peek() == '-') {
        pos++;
      }
      int first = peek();
      if (first == '0') {
        pos++;
      } else if (first >= '1' && first <= '9') {
        while (peek() >= '0' && peek() <= '9') {
          pos++;
        }
      } else {
        throw fail("expected a digit");
      }
      int c = peek();
      if (c >= '0' && c <= '9') {
        throw fail("leading zero in a number");
      }
      if (c == '.' || c == 'e' || c == 'E') {
        throw fail("only integers are used in audit lines");
      }
      try {
        return Long.parseLong(s, start, pos, 10);
      } catch (NumberFormatException e) {
        throw new MalformedJsonException("integer out of range", start);
      }
    }

    private String string() throws MalformedJsonException {
      expect('"');
      var out = new StringBuilder();
      while (true) {
        int c = next();
        if (c < 0) {
          throw fail("unterminated string");
        }
        if (c == '"') {
          return out.toString();
        }
        if (c < 0x20) {
          pos--;
          throw fail("unescaped control character in a string");
        }
        if (c != '\\') {
          out.append((char) c);
          continue;
        }
        int e = next();
        switch (e) {
          case '"' -> out.append('"');
          case '\\' -> out.append('\\');
          case '/' -> out.append('/');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> out.append(hex4());
          default -> {
            pos--;
            throw fail("invalid escape in a string");
          }
        }
      }
    }

    private char hex4() throws MalformedJsonException {
      if (pos + 4 > s.length()) {
        throw fail("truncated \\u escape");
      }
      int v = 0;
      for (int i = 0; i < 4; i++) {
        int d = Character.digit(s.charAt(pos), 16);
        if (d < 0 || s.charAt(pos) > 'f') {
          throw fail("invalid hex digit in \\u escape");
        }
        v = (v << 4) | d;
        pos++;
      }
      return (char) v;
    }

    private void skipWhitespace() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        pos++;
      }
    }

    private void expect(char c) throws MalformedJsonException {
      if (peek() != c) {
        throw fail("expected '" + c + "'");
      }
      pos++;
    }

    private int peek() {
      return pos < s.length() ? s.charAt(pos) : -1;
    }

    private int next() {
      return pos < s.length() ? s.charAt(pos++) : -1;
    }

    private MalformedJsonException fail(String message) {
      return new MalformedJsonException(message, pos);
    }
  }
}
