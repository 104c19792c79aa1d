package com.plugsky.crypto.bench.envelope;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What an uncached envelope message spends on its local key-encryption key: the wrap of a fresh
 * 32-byte data key ({@code wrapDataKey}), and the one {@code stat} of the key file inside it that
 * lets the wrapper notice a replaced, widened or removed file at once ({@code statKeyFile}, the same
 * {@link Files#readAttributes} call on the same file).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 2, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx2g"})
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
public class LocalWrapBenchmark {
  private final KeyRef kek = KeyRef.parse("local:bench");
  private final EncryptionContext context =
      EncryptionContext.of("tenant", "acme", "purpose", "orders");
  private final byte[] dataKey = CryptoRandom.bytes(32);
  private Path keyDirectory;
  private Path keyFile;
  private LocalKeyWrapper wrapper;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    keyDirectory = KeyDirectories.create();
    wrapper = LocalKeyWrapper.builder().keyDirectory(keyDirectory).build();
    wrapper.wrap(kek, dataKey, context);
    try (Stream<Path> files = Files.list(keyDirectory)) {
      keyFile = files.filter(Files::isRegularFile).findFirst().orElseThrow();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    KeyDirectories.delete(keyDirectory);
  }

  @Benchmark
  public WrappedKey wrapDataKey() {
    return wrapper.wrap(kek, dataKey, context);
  }

  @Benchmark
  public PosixFileAttributes statKeyFile() throws IOException {
    return Files.readAttributes(keyFile, PosixFileAttributes.class);
  }
}
