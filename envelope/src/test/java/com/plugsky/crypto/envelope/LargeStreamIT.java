package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.context.EncryptionContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 2 GiB through an encrypting stream, a pipe and a decrypting stream in a JVM with a 64 MiB heap
 * (failsafe's argLine in envelope/pom.xml): the streams hold about two frames, never the message.
 * Runs in {@code mvn verify}, not in {@code mvn test}, because it takes seconds, not milliseconds.
 */
class LargeStreamIT {
  private static final long LENGTH = 2L << 30;
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  @TempDir Path keys;

  @Test
  void twoGibibytesFlowThroughA64MibHeap() throws Exception {
    assertThat(Runtime.getRuntime().maxMemory())
        .as("run with -Xmx64m")
        .isLessThanOrEqualTo(80L << 20);
    Envelope envelope = TestKeks.envelope(keys, "orders").build();
    PipedInputStream pipe = new PipedInputStream(1 << 20);
    PipedOutputStream pipeIn = new PipedOutputStream(pipe);

    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try (OutputStream out = envelope.encryptingStream(pipeIn, CONTEXT)) {
                byte[] chunk = new byte[100_000];
                for (long at = 0; at < LENGTH; at += chunk.length) {
                  int n = (int) Math.min(chunk.length, LENGTH - at);
                  fill(chunk, at, n);
                  out.write(chunk, 0, n);
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });

    long read = 0;
    try (InputStream in = envelope.decryptingStream(pipe, CONTEXT)) {
      byte[] chunk = new byte[77_777];
      byte[] expected = new byte[chunk.length];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        fill(expected, read, n);
        assertThat(Arrays.equals(chunk, 0, n, expected, 0, n)).as("bytes at %d", read).isTrue();
        read += n;
      }
    }
    writer.join();

    assertThat(read).isEqualTo(LENGTH);
  }

  /** A pattern that differs at every position of a frame and between frames. */
  private static void fill(byte[] into, long from, int length) {
    for (int i = 0; i < length; i++) {
      long position = from + i;
      into[i] = (byte) (position ^ (position >>> 11) ^ (position >>> 23));
    }
  }
}
