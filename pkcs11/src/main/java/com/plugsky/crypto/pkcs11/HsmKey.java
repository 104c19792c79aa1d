package com.plugsky.crypto.pkcs11;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.keyref.KeyRef;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Names a key in a token by its {@code CKA_LABEL}, its {@code CKA_ID}, or both (then both must
 * match). Holds no handle: each backend finds the object and caches its handle itself.
 */
public final class HsmKey {
  private final String label;
  private final byte[] id;

  private HsmKey(String label, byte[] id) {
    if (label == null && id == null) {
      throw new InvalidInputException("an HSM key needs a label or an id");
    }
    if (label != null && (label.isEmpty() || label.getBytes(StandardCharsets.UTF_8).length > 255)) {
      throw new InvalidInputException("an HSM key label must be 1..255 UTF-8 bytes");
    }
    if (id != null && (id.length == 0 || id.length > 255)) {
      throw new InvalidInputException("an HSM key id must be 1..255 bytes");
    }
    this.label = label;
    this.id = id == null ? null : id.clone();
  }

  public static HsmKey label(String label) {
    return new HsmKey(Objects.requireNonNull(label, "label"), null);
  }

  public static HsmKey id(byte[] id) {
    return new HsmKey(null, Objects.requireNonNull(id, "id"));
  }

  /** A key matched on whichever of {@code label} and {@code id} is not null. */
  public static HsmKey of(String label, byte[] id) {
    return new HsmKey(label, id);
  }

  public Optional<String> label() {
    return Optional.ofNullable(label);
  }

  /** The {@code CKA_ID}, a fresh copy. */
  public Optional<byte[]> id() {
    return Optional.ofNullable(id).map(byte[]::clone);
  }

  /**
   * The RFC 7512 URI of this key's object of {@code type} ({@code private}, {@code secret}, ...) in
   * the token labelled {@code token}, as audit events name it.
   */
  public String uri(String token, String type) {
    StringBuilder uri =
        new StringBuilder("pkcs11:token=").append(percentEncoded(token.getBytes(UTF_8)));
    if (label != null) {
      uri.append(";object=").append(percentEncoded(label.getBytes(UTF_8)));
    }
    if (id != null) {
      uri.append(";id=").append(percentEncoded(id));
    }
    return KeyRef.parse(uri.append(";type=").append(type).toString()).toString();
  }

  private static String percentEncoded(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      char c = (char) (b & 0xFF);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || "-._~".indexOf(c) >= 0) {
        out.append(c);
      } else {
        out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
    }
    return out.toString();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof HsmKey that
        && Objects.equals(label, that.label)
        && Arrays.equals(id, that.id);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hashCode(label) + Arrays.hashCode(id);
  }

  /** {@code label=orders-kek, id=0a1b}: names, never key material. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    if (label != null) {
      out.append("label=").append(label);
    }
    if (id != null) {
      out.append(out.isEmpty() ? "" : ", ").append("id=").append(HexFormat.of().formatHex(id));
    }
    return out.toString();
  }
}
