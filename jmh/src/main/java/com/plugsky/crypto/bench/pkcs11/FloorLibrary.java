package com.plugsky.crypto.bench.pkcs11;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The C floor's loop built as a library (jmh/pkcs11-floor.sh builds jmh/target/libpkcs11-floor.so;
 * {@code -Dplugsky.bench.pkcs11FloorLibrary} names another path), attached to the SoftHSM2 module
 * this JVM's ffm backend has initialised and logged in to. It finds the trial's keys by label and
 * makes exactly the floor's PKCS#11 calls, each calling thread on a session of its own.
 */
final class FloorLibrary {
  private final MethodHandle run;

  private FloorLibrary(MethodHandle run) {
    this.run = run;
  }

  /** Attaches to the loaded module and finds the keys labelled {@code aesLabel} and {@code ecLabel}. */
  static FloorLibrary attach(String aesLabel, String ecLabel) throws Throwable {
    Path library = location();
    if (!Files.isRegularFile(library)) {
      throw new IllegalStateException(library + " is missing: jmh/pkcs11-floor.sh builds it");
    }
    Linker linker = Linker.nativeLinker();
    Arena arena = Arena.global();
    SymbolLookup floor = SymbolLookup.libraryLookup(library, arena);
    MethodHandle attach =
        linker.downcallHandle(
            floor.find("pkcs11_floor_attach").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    int rv =
        (int)
            attach.invokeExact(
                arena.allocateFrom(SoftHsmToken.MODULE.toString()),
                arena.allocateFrom(SoftHsmToken.LABEL),
                arena.allocateFrom(aesLabel),
                arena.allocateFrom(ecLabel));
    if (rv != 0) {
      throw new IllegalStateException("pkcs11_floor_attach: " + SoftHsmToken.MODULE + " is not loaded");
    }
    return new FloorLibrary(
        linker.downcallHandle(
            floor.find("pkcs11_floor_run").orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG)));
  }

  /** The floor's name of an operation (aes-gcm, wrap-pad, unwrap-pad, ecdsa-p256), for {@link #run}. */
  static MemorySegment operation(String name) {
    return Arena.global().allocateFrom(name);
  }

  /** Runs {@code operation} {@code count} times on the calling thread's session. */
  void run(MemorySegment operation, long count) {
    try {
      run.invokeExact(operation, count);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException("a downcall threw a checked exception", e);
    }
  }

  /**
   * The property's path, else jmh/target/libpkcs11-floor.so of the checkout this class was loaded
   * from (cli/target/lib/jmh-*.jar or jmh/target/classes), else of the working directory.
   */
  private static Path location() throws Exception {
    String property = System.getProperty("plugsky.bench.pkcs11FloorLibrary");
    if (property != null) {
      return Path.of(property).toAbsolutePath();
    }
    Path relative = Path.of("jmh", "target", "libpkcs11-floor.so");
    Path loadedFrom = Path.of(FloorLibrary.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    for (Path directory = loadedFrom; directory != null; directory = directory.getParent()) {
      if (Files.isRegularFile(directory.resolve(relative))) {
        return directory.resolve(relative);
      }
    }
    return relative.toAbsolutePath();
  }
}
