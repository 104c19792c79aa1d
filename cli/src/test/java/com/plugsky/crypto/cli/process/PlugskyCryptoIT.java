package com.plugsky.crypto.cli.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.plugsky.crypto.cli.process.Command.Result;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged command run as a process: what an operator's shell sees. */
class PlugskyCryptoIT {
  /** More than four 64 KiB frames, so that damage in the last one comes after released frames. */
  private static final int MULTI_FRAME = 300_000;

  @TempDir Path work;
  private Path home;
  private Command command;

  @BeforeEach
  void freshHome() throws IOException {
    home = work.resolve("home");
    command = new Command(home, work);
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(work.resolve(name), content);
  }

  private List<String> filesInWork() throws IOException {
    try (Stream<Path> files = Files.list(work)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void assertOneLineError(Result result, int exit, String command) {
    assertThat(result.exit()).as(result.stderr()).isEqualTo(exit);
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.errLines().getFirst()).startsWith("plugsky-crypto " + command + ": error: ");
    assertThat(result.stderr()).doesNotContain("\tat ", "Exception");
  }

  @Test
  void aPipeRoundTripsOnAFreshMachineUnderTheDefaultLocalKey() throws IOException {
    byte[] plaintext = "hi\n".getBytes(StandardCharsets.UTF_8);

    Result encrypted = command.run(plaintext, "encrypt");
    assertThat(encrypted.exit()).as(encrypted.stderr()).isZero();
    Result decrypted = command.run(encrypted.stdout(), "decrypt");

    assertThat(decrypted.exit()).as(decrypted.stderr()).isZero();
    assertThat(decrypted.stdout()).isEqualTo(plaintext);
    Path kek = home.resolve("keys").resolve("default.kek");
    assertThat(Files.getPosixFilePermissions(kek)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.size(kek)).isEqualTo(32);
  }

  @Test
  void filesRoundTripUnderTwoLocalKeysWithAContextThatInspectShows() throws IOException {
    byte[] plaintext = CryptoRandom.bytes(MULTI_FRAME);
    write("data.bin", plaintext);

    Result encrypted =
        command.run(
            "encrypt", "-o", "data.pse", "--key", "local:eu", "--key", "local:us", "--context", "tenant=acme",
            "--context", "purpose=test", "data.bin");
    assertThat(encrypted.exit()).as(encrypted.stderr()).isZero();

    Result inspected = command.run("inspect", "--json", "data.pse");
    assertThat(inspected.exit()).as(inspected.stderr()).isZero();
    JsonNode header = new ObjectMapper().readTree(inspected.stdout());
    assertThat(header.path("version").asInt()).isEqualTo(3);
    assertThat(header.path("frameSize").asInt()).isEqualTo(65536);
    assertThat(header.path("messageId").asText()).hasSize(64);
    assertThat(header.path("context").path("tenant").asText()).isEqualTo("acme");
    assertThat(header.path("context").path("purpose").asText()).isEqualTo("test");
    assertThat(header.path("wrappedKeys").findValuesAsText("keyRef")).containsExactly("local:eu", "local:us");

    assertThat(command.run("inspect", "data.pse").out()).contains("context:       tenant=acme, purpose=test");

    Result decrypted = command.run("decrypt", "--key", "local:us", "--context", "tenant=acme", "-o", "back.bin", "data.pse");
    assertThat(decrypted.exit()).as(decrypted.stderr()).isZero();
    assertThat(Files.readAllBytes(work.resolve("back.bin"))).isEqualTo(plaintext);

    Result wrongContext = command.run("decrypt", "--context", "tenant=other", "-o", "other.bin", "data.pse");
    assertOneLineError(wrongContext, 1, "decrypt");
    assertThat(work.resolve("other.bin")).doesNotExist();
  }

  @Test
  void aTamperedMessageExitsOneAndLeavesNoOutputNotEvenThePartOfItThatAuthenticated() throws IOException {
    write("data.bin", CryptoRandom.bytes(MULTI_FRAME));
    assertThat(command.run("encrypt", "-o", "data.pse", "data.bin").exit()).isZero();
    byte[] message = Files.readAllBytes(work.resolve("data.pse"));
    message[message.length - 40] ^= 1; // in the final frame: the first four decrypt and are written
    write("tampered.pse", message);
    List<String> before = filesInWork();

    Result result = command.run("decrypt", "-o", "out.bin", "tampered.pse");

    assertOneLineError(result, 1, "decrypt");
    assertThat(result.stderr()).contains("tag mismatch");
    assertThat(filesInWork()).isEqualTo(before);
  }

  @Test
  void aDamagedHeaderOrForeignFileExitsOne() throws IOException {
    write("notes.txt", "not a message".getBytes(StandardCharsets.UTF_8));

    assertOneLineError(command.run("decrypt", "-o", "out.bin", "notes.txt"), 1, "decrypt");
    assertOneLineError(command.run("inspect", "notes.txt"), 1, "inspect");
    assertThat(work.resolve("out.bin")).doesNotExist();
  }

  @Test
  void aHalfWrittenOutputIsRemovedWhenTheCommandIsStopped() throws Exception {
    Process process = command.start("encrypt", "-o", "stream.pse");
    OutputStream stdin = process.getOutputStream();
    stdin.write(CryptoRandom.bytes(1 << 20));
    stdin.flush();
    // The temporary file beside the target appears once the command has started writing.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (filesInWork().stream().noneMatch(name -> name.endsWith(".partial"))) {
      assertThat(System.nanoTime()).as("no partial output appeared").isLessThan(deadline);
      Thread.sleep(50);
    }
    // SIGTERM, as a supervisor would stop it. Through the handle, because Process.destroy() also
    // closes the pipe, and the command could read that end of input before the signal arrives.
    process.toHandle().destroy();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    try {
      stdin.close();
    } catch (IOException e) {
      // The pipe's reader is gone.
    }
    assertThat(process.exitValue()).isNotZero();
    assertThat(filesInWork()).doesNotContain("stream.pse").noneMatch(name -> name.endsWith(".partial"));
  }

  @Test
  void usageMistakesExitTwoWithOneLine() throws IOException {
    assertOneLineError(command.run("encrypt", "--frobnicate"), 2, "encrypt");
    assertOneLineError(command.run("decrypt", "missing.pse"), 2, "decrypt");
    assertOneLineError(command.run("encrypt", "--key", "nope:x"), 2, "encrypt");
    write("a.txt", new byte[] {1});
    write("exists.pse", new byte[] {2});
    assertOneLineError(command.run("encrypt", "-o", "exists.pse", "a.txt"), 2, "encrypt");
    assertThat(Files.readAllBytes(work.resolve("exists.pse"))).containsExactly(2);
    Result unknown = command.run("frobnicate");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.errLines()).hasSize(1);
  }

  @Test
  void aBackendThatCannotBeConfiguredIsUnavailable() {
    // vault-transit's wrapper is on the classpath, but nothing says where Vault is.
    Result result =
        command.run(
            "hi".getBytes(StandardCharsets.UTF_8),
            "encrypt",
            "--key",
            "vault-transit:transit/orders");

    assertThat(result.exit()).as(result.stderr()).isEqualTo(3);
    assertThat(result.errLines()).hasSize(1);
    assertThat(result.stderr()).contains("VAULT_ADDR is not set");
  }

  @Test
  void rewrapAddsAndRemovesWrappedKeysInPlace() throws IOException {
    byte[] plaintext = CryptoRandom.bytes(MULTI_FRAME);
    write("data.bin", plaintext);
    assertThat(command.run("encrypt", "-o", "data.pse", "--key", "local:old", "data.bin").exit()).isZero();

    Result rewrapped = command.run("rewrap", "--in-place", "--add", "local:new", "--remove", "local:old", "data.pse");

    assertThat(rewrapped.exit()).as(rewrapped.stderr()).isZero();
    assertThat(command.run("inspect", "data.pse").out()).contains("  local:new (69 bytes)").doesNotContain("local:old");
    Result decrypted = command.run("decrypt", "-o", "back.bin", "data.pse");
    assertThat(decrypted.exit()).as(decrypted.stderr()).isZero();
    assertThat(Files.readAllBytes(work.resolve("back.bin"))).isEqualTo(plaintext);
    assertThat(filesInWork()).containsExactlyInAnyOrder("back.bin", "data.bin", "data.pse", "home");
  }

  @Test
  void hsmKeysRoundTripThroughSoftHsm2AndRewrapMovesAMessageOntoThem() throws Exception {
    SoftHsmToken token = SoftHsmToken.get();
    String label = "cli-kek-" + UUID.randomUUID();
    token.createKek(label);
    byte[] plaintext = CryptoRandom.bytes(MULTI_FRAME);
    write("data.bin", plaintext);

    Result encrypted = command.run("encrypt", "-o", "hsm.pse", "--key", token.keyRef(label), "data.bin");
    assertThat(encrypted.exit()).as(encrypted.stderr()).isZero();
    Result decrypted = command.run("decrypt", "--key", token.keyRef(label), "hsm.pse");
    assertThat(decrypted.exit()).as(decrypted.stderr()).isZero();
    assertThat(decrypted.stdout()).isEqualTo(plaintext);

    // The PIN from the environment instead of a file (a KeyRef's pin-source is part of its name).
    Command withPin = new Command(home, work).env("PLUGSKY_PKCS11_PIN", token.userPin());
    Result viaEnvironment =
        withPin.run(plaintext, "encrypt", "--key", token.keyRefWithoutPin(label), "-o", "env.pse");
    assertThat(viaEnvironment.exit()).as(viaEnvironment.stderr()).isZero();
    assertThat(withPin.run("decrypt", "--key", token.keyRefWithoutPin(label), "env.pse").stdout()).isEqualTo(plaintext);

    // Without --key the command opens nothing that the message names outside local:.
    assertOneLineError(command.run("decrypt", "hsm.pse"), 2, "decrypt");

    assertThat(command.run("encrypt", "-o", "local.pse", "data.bin").exit()).isZero();
    Result moved = command.run("rewrap", "-o", "moved.pse", "--set", token.keyRef(label), "local.pse");
    assertThat(moved.exit()).as(moved.stderr()).isZero();
    Result fromHsm = command.run("decrypt", "--key", token.keyRef(label), "moved.pse");
    assertThat(fromHsm.stdout()).isEqualTo(plaintext);
  }

  @Test
  void benchQuickRunsATinyFamilyAndWritesJsonMarkdownAndAChart() throws IOException {
    Result result =
        command.run(
            "bench", "--quick", "--output-dir", "results", "aes-gcm",
            "-f", "1", "-wi", "0", "-i", "1", "-r", "100ms",
            "-p", "size=64", "-p", "buffer=array", "-p", "engine=jdk", "-p", "peer=sunjce",
            "-e", "Peer", "-e", "FreshKey", "-e", "decrypt");

    assertThat(result.exit()).as(result.stderr()).isZero();
    List<Path> written = result.out().lines().map(Path::of).map(work::resolve).toList();
    assertThat(written).hasSize(3);
    JsonNode json = new ObjectMapper().readTree(written.get(0).toFile());
    assertThat(json).hasSize(1);
    assertThat(json.get(0).path("benchmark").asText()).endsWith("EngineAesGcmBenchmark.encrypt");
    assertThat(Files.readString(written.get(1))).contains("| encrypt | array | 64 B |");
    assertThat(written.get(2).toString()).endsWith("-aesgcm.svg");
    assertThat(Files.readString(written.get(2))).startsWith("<svg").contains("ours: jdk");
    assertThat(result.stderr()).contains("bench: [1] aesgcm.EngineAesGcmBenchmark.encrypt");

    Result compared = command.run("bench", "compare", written.get(0).toString(), written.get(0).toString());
    assertThat(compared.exit()).as(compared.stderr()).isZero();
    assertThat(compared.out()).contains("1 compared, 0 regression(s)");
  }

  @Test
  void selftestPassesWithTheBundledEngines() {
    Result result = command.run("selftest", "--require", "jdk,native,bc-fips,accp,conscrypt");

    assertThat(result.exit()).as(result.stderr()).isZero();
    assertThat(result.out()).endsWith("selftest: PASS\n");
  }
}
