package com.plugsky.crypto.keyref;

import com.plugsky.crypto.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * {@code pkcs11:}: an object in a PKCS#11 token, named by an RFC 7512 URI such as {@code
 * pkcs11:token=hsm1;object=orders-kek;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so}.
 *
 * <p>Accepted attributes, with case-sensitive names:
 *
 * <ul>
 *   <li>path: {@code token, manufacturer, serial, model, library-manufacturer, library-description,
 *       library-version} (digits, optionally {@code .digits}), {@code slot-description,
 *       slot-manufacturer, slot-id} (decimal), {@code object, type} ({@code public | private | cert
 *       | secret-key | data}), {@code id} (bytes);
 *   <li>query: {@code pin-source, pin-value, module-name, module-path}.
 * </ul>
 *
 * <p>Every attribute may appear at most once, and {@code pin-source} and {@code pin-value} not
 * together. Vendor-specific attributes are rejected: ignoring one could select another object than
 * the URI's author meant. Values are percent-decoded; all but {@code id} must then be UTF-8.
 *
 * <p>Normalised form: path attributes in the order listed above, then query attributes in the order
 * listed above; each value re-encoded so that unreserved characters and the reserved characters RFC
 * 7512 allows unencoded in that component are literal and every other octet is {@code %XX} in upper
 * case; {@code id} is always fully percent-encoded, as RFC 7512 advises for binary values. A {@code
 * pin-value} is printed as {@value #REDACTED_PIN}, which does not parse, so a printed URI can
 * neither leak the PIN nor be mistaken for one that carries it. KeyRefs that differ only in their
 * PIN are therefore equal: the PIN is a credential, not part of the key's name.
 */
public final class Pkcs11KeyRef extends KeyRef {
  /** Path attributes in normalised order. */
  static final List<String> PATH_ATTRIBUTES =
      List.of(
          "token",
          "manufacturer",
          "serial",
          "model",
          "library-manufacturer",
          "library-description",
          "library-version",
          "slot-description",
          "slot-manufacturer",
          "slot-id",
          "object",
          "type",
          "id");

  /** Query attributes in normalised order. */
  static final List<String> QUERY_ATTRIBUTES =
      List.of("pin-source", "pin-value", "module-name", "module-path");

  static final String REDACTED_PIN = "<redacted>";

  private final SequencedMap<String, String> textAttributes;
  private final byte[] id;
  private final SequencedMap<String, String> queryAttributes;
  private final String pinValue;

  Pkcs11KeyRef(
      SequencedMap<String, String> textAttributes,
      byte[] id,
      SequencedMap<String, String> queryAttributes,
      String pinValue) {
    super(normalise(textAttributes, id, queryAttributes, pinValue != null));
    this.textAttributes = Collections.unmodifiableSequencedMap(textAttributes);
    this.id = id;
    this.queryAttributes = Collections.unmodifiableSequencedMap(queryAttributes);
    this.pinValue = pinValue;
  }

  private static String normalise(
      SequencedMap<String, String> text,
      byte[] id,
      SequencedMap<String, String> query,
      boolean hasPin) {
    StringBuilder out = new StringBuilder(KeyRefScheme.PKCS11.prefix());
    String separator = "";
    for (String name : PATH_ATTRIBUTES) {
      if (name.equals("id") && id != null) {
        out.append(separator).append("id=").append(PercentEncoding.encodeAll(id));
        separator = ";";
      } else if (text.containsKey(name)) {
        out.append(separator)
            .append(name)
            .append('=')
            .append(
                PercentEncoding.encode(
                    text.get(name).getBytes(StandardCharsets.UTF_8),
                    PercentEncoding.Component.PATH));
        separator = ";";
      }
    }
    separator = "?";
    for (String name : QUERY_ATTRIBUTES) {
      if (name.equals("pin-value") && hasPin) {
        out.append(separator).append("pin-value=").append(REDACTED_PIN);
        separator = "&";
      } else if (query.containsKey(name)) {
        out.append(separator)
            .append(name)
            .append('=')
            .append(
                PercentEncoding.encode(
                    query.get(name).getBytes(StandardCharsets.UTF_8),
                    PercentEncoding.Component.QUERY));
        separator = "&";
      }
    }
    return out.toString();
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.PKCS11;
  }

  /** The path attributes: the query (module, PIN source or value) says how to reach the key. */
  @Override
  public String identity() {
    String uri = toString();
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }

  /**
   * A textual path attribute by its RFC 7512 name, e.g. {@code token}, {@code object}, {@code
   * type}, {@code slot-id}.
   *
   * @throws InvalidInputException for {@code id} (binary: use {@link #id()}) or an unknown name
   */
  public Optional<String> pathAttribute(String name) {
    if (name.equals("id")) {
      throw new InvalidInputException("the pkcs11 id attribute is binary; read it with id()");
    }
    if (!PATH_ATTRIBUTES.contains(name)) {
      throw new InvalidInputException(
          "'" + abbreviate(name) + "' is not an RFC 7512 path attribute");
    }
    return Optional.ofNullable(textAttributes.get(name));
  }

  /** The object's {@code CKA_ID}, a fresh copy. */
  public Optional<byte[]> id() {
    return Optional.ofNullable(id).map(byte[]::clone);
  }

  /**
   * A query attribute: {@code pin-source}, {@code module-name} or {@code module-path}.
   *
   * @throws InvalidInputException for {@code pin-value} (use {@link #pinValue()}) or an unknown
   *     name
   */
  public Optional<String> queryAttribute(String name) {
    if (name.equals("pin-value")) {
      throw new InvalidInputException("the pkcs11 pin-value is a secret; read it with pinValue()");
    }
    if (!QUERY_ATTRIBUTES.contains(name)) {
      throw new InvalidInputException(
          "'" + abbreviate(name) + "' is not an RFC 7512 query attribute");
    }
    return Optional.ofNullable(queryAttributes.get(name));
  }

  /** The token PIN given by {@code pin-value}, as a fresh array the caller should zero. */
  public Optional<char[]> pinValue() {
    return Optional.ofNullable(pinValue).map(String::toCharArray);
  }

  /**
   * This KeyRef without its {@code pin-value}, e.g. for a message header, where the normalised form
   * must parse back but must not carry the PIN.
   */
  public Pkcs11KeyRef withoutPinValue() {
    return pinValue == null
        ? this
        : new Pkcs11KeyRef(
            new LinkedHashMap<>(textAttributes), id, new LinkedHashMap<>(queryAttributes), null);
  }
}
