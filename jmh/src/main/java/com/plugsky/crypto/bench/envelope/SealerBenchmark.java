package com.plugsky.crypto.bench.envelope;

import com.plugsky.crypto.bench.envelope.Sealers.Sealer;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Whole messages through one {@link Sealers} implementation, named by the subclass's param: encrypt
 * seals the same plaintext each time; decrypt opens {@link Sealers#MESSAGES_TO_OPEN} messages in the
 * order they were sealed at set-up, each under its own keys.
 */
@State(Scope.Thread)
public abstract class SealerBenchmark {
  @Param({"1024", "16384", "1048576"})
  public int size;

  private Path keyDirectory;
  private Sealer sealer;
  private byte[] plaintext;
  private byte[][] messages;
  private int nextMessage;

  /** The {@link Sealers#named} name of the implementation measured. */
  abstract String implementation();

  @Setup(Level.Trial)
  public void setUp() throws IOException, GeneralSecurityException {
    keyDirectory = KeyDirectories.create();
    plaintext = CryptoRandom.bytes(size);
    sealer = Sealers.named(implementation(), keyDirectory);
    messages = Sealers.messagesToOpen(implementation(), sealer, plaintext);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    sealer.close();
    KeyDirectories.delete(keyDirectory);
  }

  @Benchmark
  public byte[] encrypt() throws GeneralSecurityException {
    return sealer.seal(plaintext);
  }

  @Benchmark
  public byte[] decrypt() throws GeneralSecurityException {
    return sealer.open(messages[nextMessage++ & (messages.length - 1)]);
  }
}
