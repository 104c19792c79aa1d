package com.plugsky.crypto.keyref;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.keyref.PercentEncoding.Component;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Reads the part of an RFC 7512 URI after {@code pkcs11:} into a {@link Pkcs11KeyRef}. */
final class Pkcs11UriParser {
  private static final Set<String> OBJECT_TYPES =
      Set.of("public", "private", "cert", "secret-key", "data");
  private static final Pattern LIBRARY_VERSION = Pattern.compile("[0-9]{1,3}(?:\\.[0-9]{1,3})?");
  private static final Pattern SLOT_ID = Pattern.compile("[0-9]{1,20}");

  private Pkcs11UriParser() {}

  static Pkcs11KeyRef parse(String uri) {
    int question = uri.indexOf('?');
    String path = question < 0 ? uri : uri.substring(0, question);
    String query = question < 0 ? "" : uri.substring(question + 1);
    Map<String, byte[]> pathValues = attributes(path, Component.PATH);
    Map<String, byte[]> queryValues = attributes(query, Component.QUERY);
    if (queryValues.containsKey("pin-source") && queryValues.containsKey("pin-value")) {
      throw new InvalidInputException(
          "pkcs11: give either pin-source or pin-value, not both: which one wins is undefined");
    }

    LinkedHashMap<String, String> pathText = new LinkedHashMap<>();
    for (String name : Pkcs11KeyRef.PATH_ATTRIBUTES) {
      if (pathValues.containsKey(name) && !name.equals("id")) {
        pathText.put(name, utf8(name, pathValues.get(name), false));
      }
    }
    check(
        pathText,
        "type",
        OBJECT_TYPES::contains,
        "must be one of public, private, cert, secret-key, data");
    check(
        pathText,
        "library-version",
        v -> LIBRARY_VERSION.matcher(v).matches(),
        "must be <major> or <major>.<minor>, each 1-3 digits");
    check(
        pathText,
        "slot-id",
        v -> SLOT_ID.matcher(v).matches() && fitsUnsignedLong(v),
        "must be a decimal number that fits a CK_SLOT_ID");

    LinkedHashMap<String, String> queryText = new LinkedHashMap<>();
    for (String name : Pkcs11KeyRef.QUERY_ATTRIBUTES) {
      if (queryValues.containsKey(name) && !name.equals("pin-value")) {
        queryText.put(name, utf8(name, queryValues.get(name), false));
      }
    }
    String pin =
        queryValues.containsKey("pin-value")
            ? utf8("pin-value", queryValues.get("pin-value"), true)
            : null;
    return new Pkcs11KeyRef(pathText, pathValues.get("id"), queryText, pin);
  }

  private static Map<String, byte[]> attributes(String component, Component kind) {
    Map<String, byte[]> values = new HashMap<>();
    if (component.isEmpty()) {
      return values;
    }
    String label = kind == Component.PATH ? "path" : "query";
    String separator = kind == Component.PATH ? ";" : "&";
    List<String> known = known(kind);
    boolean afterPin = false;
    for (String attribute : component.split(separator, -1)) {
      if (attribute.isEmpty()) {
        throw new InvalidInputException(
            "pkcs11: empty " + label + " attribute (a '" + separator + "' at an end or doubled)");
      }
      if (afterPin && !startsWithKnownName(attribute, known)) {
        // Likely the rest of a PIN holding an unencoded '&': never echo it.
        throw new InvalidInputException(
            "pkcs11: a query attribute after pin-value is not one of "
                + known
                + " (not shown: if the PIN holds '&', percent-encode it as %26, or better use a"
                + " pin-source)");
      }
      int equals = attribute.indexOf('=');
      if (equals < 0) {
        throw new InvalidInputException(
            "pkcs11: "
                + label
                + " attribute '"
                + KeyRef.abbreviate(attribute)
                + "' has no '=value'");
      }
      String name = attribute.substring(0, equals);
      if (!known.contains(name)) {
        throw unknownAttribute(name, kind);
      }
      afterPin |= name.equals("pin-value");
      if (values.containsKey(name)) {
        throw new InvalidInputException(
            "pkcs11: " + label + " attribute '" + name + "' appears more than once");
      }
      String raw = attribute.substring(equals + 1);
      boolean secret = name.equals("pin-value");
      if (secret && raw.equals(Pkcs11KeyRef.REDACTED_PIN)) {
        throw new InvalidInputException(
            "pkcs11: pin-value is the placeholder "
                + Pkcs11KeyRef.REDACTED_PIN
                + " from a printed"
                + " KeyRef, which never shows the PIN; supply the PIN, or better a pin-source");
      }
      values.put(name, PercentEncoding.decode(raw, kind, name, secret));
    }
    return values;
  }

  private static boolean startsWithKnownName(String attribute, List<String> known) {
    int equals = attribute.indexOf('=');
    return equals > 0 && known.contains(attribute.substring(0, equals));
  }

  private static List<String> known(Component kind) {
    return kind == Component.PATH ? Pkcs11KeyRef.PATH_ATTRIBUTES : Pkcs11KeyRef.QUERY_ATTRIBUTES;
  }

  private static InvalidInputException unknownAttribute(String name, Component kind) {
    String shown = KeyRef.abbreviate(name);
    String label = kind == Component.PATH ? "path" : "query";
    List<String> known = known(kind);
    if (known(kind == Component.PATH ? Component.QUERY : Component.PATH).contains(name)) {
      return new InvalidInputException(
          "pkcs11: '"
              + name
              + "' belongs in the "
              + (kind == Component.PATH ? "query (after '?')" : "path (before '?')"));
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (known.contains(lower)) {
      return new InvalidInputException(
          "pkcs11: unknown "
              + label
              + " attribute '"
              + shown
              + "'; attribute names are case-sensitive: did you mean '"
              + lower
              + "'?");
    }
    return new InvalidInputException(
        "pkcs11: unknown "
            + label
            + " attribute '"
            + shown
            + "'; accepted are "
            + known
            + " (vendor-specific attributes are refused rather than ignored, since ignoring one"
            + " could select another object)");
  }

  private static String utf8(String name, byte[] value, boolean secret) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(value))
          .toString();
    } catch (CharacterCodingException e) {
      throw new InvalidInputException(
          "pkcs11: the value of '"
              + name
              + "' is not UTF-8 after percent-decoding"
              + (secret ? "" : " (only id may hold arbitrary bytes)"));
    }
  }

  private static void check(
      Map<String, String> values, String name, Predicate<String> valid, String rule) {
    String value = values.get(name);
    if (value != null && !valid.test(value)) {
      throw new InvalidInputException(
          "pkcs11: " + name + " '" + KeyRef.abbreviate(value) + "' " + rule);
    }
  }

  private static boolean fitsUnsignedLong(String digits) {
    try {
      Long.parseUnsignedLong(digits);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
