package com.plugsky.crypto.cli.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.cli.UserError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputTest {
  @TempDir Path directory;

  private long filesInDirectory() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.count();
    }
  }

  @Test
  void nothingAppearsUntilTheCommitAndThenTheWholeFileDoes() throws IOException {
    Path target = directory.resolve("out.bin");
    try (Output output = Output.file(target, false)) {
      output.stream().write(new byte[] {1, 2, 3});
      output.stream().close(); // as the envelope streams do: it must not end the output
      output.stream().write(4);
      assertThat(target).doesNotExist();
      output.commit();
    }
    assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3, 4);
    assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(filesInDirectory()).isOne();
  }

  @Test
  void closingWithoutACommitLeavesNothing() throws IOException {
    try (Output output = Output.file(directory.resolve("out.bin"), false)) {
      output.stream().write(new byte[1000]);
    }
    assertThat(filesInDirectory()).isZero();
  }

  @Test
  void aFileThatAppearsWhileWritingIsNotReplacedWithoutForce() throws IOException {
    Path target = directory.resolve("out.bin");
    try (Output output = Output.file(target, false)) {
      output.stream().write(new byte[] {1, 2, 3});
      Files.writeString(target, "someone else's");

      assertThatThrownBy(output::commit)
          .isInstanceOf(UserError.class)
          .hasMessageContaining("appeared while writing; add --force");
    }
    assertThat(Files.readString(target)).isEqualTo("someone else's");
    assertThat(filesInDirectory()).isOne();
  }

  @Test
  void anExistingFileIsReplacedOnlyWhenAllowedAndKeepsItsPermissions() throws IOException {
    Path target = Files.writeString(directory.resolve("out.bin"), "old");
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));

    assertThatThrownBy(() -> Output.file(target, false))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("exists; add --force");
    try (Output output = Output.file(target, true)) {
      output.stream().write('n');
      output.commit();
    }

    assertThat(Files.readString(target)).isEqualTo("n");
    assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
  }

  @Test
  void aDirectoryOrAMissingParentIsAUsageError() {
    assertThatThrownBy(() -> Output.file(directory, true)).isInstanceOf(UserError.class).hasMessageContaining("is a directory");
    assertThatThrownBy(() -> Output.file(directory.resolve("no/such/out.bin"), false))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("no such directory");
  }
}
