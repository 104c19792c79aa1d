package com.plugsky.crypto.bench.pkcs11;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.PinSource;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A SoftHSM2 token of this JVM's own: a private configuration and token directory in a temporary
 * directory (deleted at exit), initialised with softhsm2-util, and SOFTHSM2_CONF set in this
 * process's C environment before any backend loads the module (SoftHSM2 reads it when
 * initialised), so a JMH fork needs nothing set up outside it.
 */
final class SoftHsmToken {
  static final Path MODULE = Path.of("/usr/lib/softhsm/libsofthsm2.so");
  static final String LABEL = "bench";
  private static final String PIN = "bench-pin-1234";
  private static Path directory;

  private SoftHsmToken() {}

  /** The token's configuration for {@code backend}, creating the token on first use. */
  static synchronized HsmConfig config(HsmConfig.Backend backend, int sessions) {
    if (directory == null) {
      directory = create();
    }
    return HsmConfig.builder(MODULE)
        .tokenLabel(LABEL)
        .pinSource(PinSource.of(PIN.toCharArray()))
        .backend(backend)
        .maxSessions(sessions)
        .build();
  }

  private static Path create() {
    if (!Files.isRegularFile(MODULE)) {
      throw new IllegalStateException("SoftHSM2 is not installed (" + MODULE + "): apt-get install softhsm2");
    }
    try {
      Path root = Files.createTempDirectory("plugsky-bench-softhsm");
      Path tokens = Files.createDirectory(root.resolve("tokens"));
      Path conf = root.resolve("softhsm2.conf");
      Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root)));
      ProcessBuilder init =
          new ProcessBuilder(List.of("softhsm2-util", "--init-token", "--free", "--label", LABEL, "--pin", PIN, "--so-pin", "bench-so-5678"))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      init.environment().put("SOFTHSM2_CONF", conf.toString());
      Process process = init.start();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException("softhsm2-util --init-token failed");
      }
      setenv("SOFTHSM2_CONF", conf.toString());
      return root;
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the benchmark's SoftHSM2 token", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the SoftHSM2 token", e);
    }
  }

  /** setenv(3): the C environment, which the module reads, not Java's copy of it. */
  private static void setenv(String name, String value) {
    Linker linker = Linker.nativeLinker();
    MethodHandle setenv =
        linker.downcallHandle(
            linker.defaultLookup().find("setenv").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    try (Arena arena = Arena.ofConfined()) {
      int rv = (int) setenv.invokeExact(arena.allocateFrom(name), arena.allocateFrom(value), 1);
      if (rv != 0) {
        throw new IllegalStateException("setenv(" + name + ") failed");
      }
    } catch (Throwable e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  private static void deleteQuietly(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // The temporary directory stays; nothing else depends on it.
    }
  }
}
