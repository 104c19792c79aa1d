package com.plugsky.crypto.bench.envelope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The temporary directory of local key-encryption keys that a benchmark trial makes and removes. */
final class KeyDirectories {
  private KeyDirectories() {}

  static Path create() throws IOException {
    return Files.createTempDirectory("plugsky-bench-keys");
  }

  /** Removes {@code directory} and the key files in it. */
  static void delete(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
