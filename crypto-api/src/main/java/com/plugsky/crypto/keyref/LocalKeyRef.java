package com.plugsky.crypto.keyref;

import com.plugsky.crypto.InvalidInputException;
import java.util.regex.Pattern;

/**
 * {@code local:<name>}: a software key-encryption key kept in a key file, for development and
 * tests.
 *
 * <p>The name is 1 to 64 characters of {@code a-z 0-9 . _ -} and starts with a letter or digit. It
 * becomes a file name, so it can hold no path separator or leading dot, and it is lower case only
 * because on a case-insensitive file system {@code local:Orders} and {@code local:orders} would
 * silently share one key file.
 */
public final class LocalKeyRef extends KeyRef {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private final String name;

  private LocalKeyRef(String name) {
    super(KeyRefScheme.LOCAL.prefix() + name);
    this.name = name;
  }

  static LocalKeyRef parseName(String name) {
    if (name.isEmpty()) {
      throw new InvalidInputException("local: KeyRef needs a key name, e.g. local:default");
    }
    if (!NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "local: key name '"
              + abbreviate(name)
              + "' must be 1-64 characters of a-z, 0-9, '.',"
              + " '_' or '-' starting with a letter or digit (it names a key file)");
    }
    return new LocalKeyRef(name);
  }

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.LOCAL;
  }

  /** The key's name, e.g. {@code default}; the local key wrapper keeps it in {@code <name>.kek}. */
  public String name() {
    return name;
  }
}
