package com.plugsky.crypto.envelope;

import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Local KEKs in a test's temporary directory. */
final class TestKeks {
  private TestKeks() {}

  static LocalKeyWrapper wrapper(Path directory) {
    return LocalKeyWrapper.builder().keyDirectory(directory).build();
  }

  static KeyRef local(String name) {
    return KeyRef.parse("local:" + name);
  }

  /** Writes a KEK with a fixed value, as the local wrapper would keep it (0600). */
  static void writeKek(Path directory, String name, byte[] kek) {
    try {
      Path file = directory.resolve(name + ".kek");
      Files.write(file, kek);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An Envelope over local KEKs in {@code directory} with small frames. */
  static Envelope.Builder envelope(Path directory, String... kekNames) {
    Envelope.Builder builder = Envelope.builder().keyWrapper(wrapper(directory));
    for (String name : kekNames) {
      builder.kek(local(name));
    }
    return builder;
  }
}
