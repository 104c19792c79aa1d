package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamTest {
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  @TempDir Path keys;

  @Test
  void aStreamWritesTheSameFormatTheByteArrayFormReads() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(1024).build();
    byte[] plaintext = randomBytes(10_000, 1);

    byte[] message = encryptInChunks(envelope, plaintext, new Random(2));

    assertThat(message.length)
        .isEqualTo(Envelope.inspect(message).headerLength() + plaintext.length + 10 * 20);
    assertThat(envelope.decrypt(message, CONTEXT)).isEqualTo(plaintext);
    assertThat(decryptInChunks(envelope, envelope.encrypt(plaintext, CONTEXT), new Random(3)))
        .isEqualTo(plaintext);
  }

  @Test
  void writesEachFrameOnceTheNextByteShowsItIsNotTheLast() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(16).build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputStream encrypting = envelope.encryptingStream(out, CONTEXT);
    int header = out.size();

    encrypting.write(new byte[32]);
    assertThat(out.size())
        .as("the second full frame may be the last: held back")
        .isEqualTo(header + 36);
    encrypting.write(1);
    assertThat(out.size()).isEqualTo(header + 2 * 36);
    encrypting.close();

    assertThat(out.size()).isEqualTo(header + 2 * 36 + 21);
    assertThat(envelope.decrypt(out.toByteArray(), CONTEXT)).hasSize(33);
  }

  @Test
  void anEmptyStreamIsTheEmptyMessage() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").build();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    envelope.encryptingStream(out, CONTEXT).close();

    assertThat(envelope.decrypt(out.toByteArray(), CONTEXT)).isEmpty();
    try (InputStream in =
        envelope.decryptingStream(new ByteArrayInputStream(out.toByteArray()), CONTEXT)) {
      assertThat(in.read()).isEqualTo(-1);
    }
  }

  @Test
  void aDecryptingStreamReportsItsKekAndFailsOnAWrongContextAtOnce() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "eu", "us").build();
    byte[] message = envelope.encrypt(new byte[100], CONTEXT);

    try (DecryptingInputStream in =
        envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      assertThat(in.openedBy()).isEqualTo(TestKeks.local("eu"));
      assertThat(in.header().context()).isEqualTo(CONTEXT);
      assertThat(in.readAllBytes()).hasSize(100);
    }
    assertThatThrownBy(
            () ->
                envelope.decryptingStream(
                    new ByteArrayInputStream(message), EncryptionContext.empty()))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void aFailedStreamStaysFailed() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(16).build();
    byte[] message = envelope.encrypt(new byte[40], CONTEXT);
    message[message.length - 1] ^= 1;

    try (DecryptingInputStream in =
        envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      assertThat(in.readNBytes(32)).hasSize(32);
      assertThatThrownBy(in::read).isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(in::read).isInstanceOf(IOException.class);
    }
  }

  @Test
  void channelsCarryTheSameFormat(@TempDir Path files) throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(256).build();
    byte[] plaintext = randomBytes(3000, 5);
    Path file = files.resolve("message");

    try (WritableByteChannel out =
        envelope.encryptingChannel(
            FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            CONTEXT)) {
      out.write(ByteBuffer.wrap(plaintext, 0, 1000));
      out.write(ByteBuffer.wrap(plaintext, 1000, 2000));
    }
    ByteBuffer back = ByteBuffer.allocate(plaintext.length + 1);
    try (ReadableByteChannel in =
        envelope.decryptingChannel(FileChannel.open(file, StandardOpenOption.READ), CONTEXT)) {
      while (back.hasRemaining() && in.read(back) >= 0) {}
    }

    assertThat(Arrays.copyOf(back.array(), back.position())).isEqualTo(plaintext);
    assertThat(envelope.decrypt(Files.readAllBytes(file), CONTEXT)).isEqualTo(plaintext);
  }

  @Test
  void channelsTakeDirectAndReadOnlyBuffers(@TempDir Path files) throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(1024).build();
    byte[] plaintext = randomBytes(20_000, 10);
    Path file = files.resolve("message");

    try (WritableByteChannel out =
        envelope.encryptingChannel(
            FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            CONTEXT)) {
      ByteBuffer direct = ByteBuffer.allocateDirect(12_000).put(plaintext, 0, 12_000).flip();
      assertThat(out.write(direct)).isEqualTo(12_000);
      assertThat(out.write(ByteBuffer.wrap(plaintext, 12_000, 8_000).asReadOnlyBuffer()))
          .isEqualTo(8_000);
    }
    ByteBuffer back = ByteBuffer.allocateDirect(plaintext.length + 1);
    try (ReadableByteChannel in =
        envelope.decryptingChannel(FileChannel.open(file, StandardOpenOption.READ), CONTEXT)) {
      while (back.hasRemaining() && in.read(back) >= 0) {}
      assertThat(in.read(ByteBuffer.allocate(10))).isEqualTo(-1);
    }

    byte[] read = new byte[back.flip().remaining()];
    back.get(read);
    assertThat(read).isEqualTo(plaintext);
  }

  @Test
  void aChannelReadOfAFrameWithABadTagLeavesZerosAndThePositionWhereItWas() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(1024).build();
    byte[] message = envelope.encrypt(randomBytes(2048, 11), CONTEXT);
    message[message.length - 30] ^= 1;
    ByteBuffer target = ByteBuffer.allocate(4096);

    try (ReadableByteChannel in =
        envelope.decryptingChannel(
            java.nio.channels.Channels.newChannel(new ByteArrayInputStream(message)), CONTEXT)) {
      assertThat(in.read(target)).isEqualTo(1024);
      assertThatThrownBy(() -> in.read(target)).isInstanceOf(AuthenticationFailedException.class);
    }

    assertThat(target.position()).isEqualTo(1024);
    assertThat(Arrays.copyOfRange(target.array(), 1024, 4096)).containsOnly(0);
  }

  @Test
  void rewrapsAStreamWithoutDecryptingItsBody() throws IOException {
    Envelope v1 = TestKeks.envelope(keys, "v1").frameSize(64).build();
    byte[] plaintext = randomBytes(1000, 4);
    byte[] message = v1.encrypt(plaintext, CONTEXT);
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    v1.rewrap(new ByteArrayInputStream(message), out, CONTEXT, List.of(TestKeks.local("v2")));

    Envelope v2 = TestKeks.envelope(keys, "v2").build();
    assertThat(v2.decrypt(out.toByteArray(), CONTEXT)).isEqualTo(plaintext);
    assertThat(Envelope.inspect(out.toByteArray()).wrappedKeys())
        .extracting(EnvelopeHeader.WrappedKeyInfo::keyRef)
        .containsExactly("local:v2");
  }

  @Test
  void inspectReadsOnlyTheHeaderOfAStream() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").build();
    byte[] message = envelope.encrypt(new byte[500], CONTEXT);
    ByteArrayInputStream in = new ByteArrayInputStream(message);

    EnvelopeHeader header = Envelope.inspect(in);

    assertThat(in.available()).isEqualTo(message.length - header.headerLength());
  }

  @Test
  void aReadWithRoomForAFrameHoldsOnlyZerosWhereAFrameWithABadTagWouldGo() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(1024).build();
    byte[] plaintext = randomBytes(3000, 6);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    int secondFrame = Envelope.inspect(message).headerLength() + 1044;
    message[secondFrame + 4 + 10] ^= 1;
    byte[] buffer = new byte[5000];
    Arrays.fill(buffer, (byte) 0x5a);

    try (DecryptingInputStream in =
        envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      assertThat(in.read(buffer, 100, 4000)).isEqualTo(1024);
      assertThat(Arrays.copyOfRange(buffer, 100, 1124))
          .isEqualTo(Arrays.copyOf(plaintext, 1024));

      assertThatThrownBy(() -> in.read(buffer, 100, 4000))
          .isInstanceOf(AuthenticationFailedException.class);

      assertThat(Arrays.copyOfRange(buffer, 100, 1124)).containsOnly(0);
      assertThat(Arrays.copyOf(buffer, 100)).containsOnly(0x5a);
      assertThat(Arrays.copyOfRange(buffer, 1124, buffer.length)).containsOnly(0x5a);
      assertThatThrownBy(() -> in.read(buffer, 100, 4000)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void aFinalFrameWithABadTagLeavesNothingInTheReadersArray() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(1024).build();
    byte[] plaintext = randomBytes(1500, 7);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    message[message.length - 1] ^= 1;
    byte[] buffer = new byte[2048];

    try (DecryptingInputStream in =
        envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      assertThat(in.read(buffer)).isEqualTo(1024);
      assertThatThrownBy(() -> in.read(buffer)).isInstanceOf(AuthenticationFailedException.class);
    }

    assertThat(Arrays.copyOf(buffer, 476)).containsOnly(0);
  }

  @Test
  void readsOfEverySizeAroundAFrameGiveThePlaintext() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(256).build();
    byte[] plaintext = randomBytes(5 * 256 + 100, 8);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);

    for (int size : new int[] {1, 7, 255, 256, 257, 512, 2000}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
        byte[] buffer = new byte[size + 3];
        for (int n; (n = in.read(buffer, 3, size)) >= 0; ) {
          assertThat(n).isBetween(1, size);
          out.write(buffer, 3, n);
          int single = in.read();
          if (single >= 0) {
            out.write(single);
          }
        }
      }
      assertThat(out.toByteArray()).as("reads of %d bytes", size).isEqualTo(plaintext);
    }
  }

  @Test
  void transferToWritesWholeVerifiedFramesAndStopsAtABadOne() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(1024).build();
    byte[] plaintext = randomBytes(5000, 12);
    byte[] message = envelope.encrypt(plaintext, CONTEXT);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      assertThat(in.read()).isEqualTo(plaintext[0] & 0xff);
      assertThat(in.transferTo(all)).isEqualTo(4999);
      assertThat(in.read()).isEqualTo(-1);
    }
    assertThat(all.toByteArray()).isEqualTo(Arrays.copyOfRange(plaintext, 1, 5000));

    message[Envelope.inspect(message).headerLength() + 2 * 1044 + 4] ^= 1;
    ByteArrayOutputStream partial = new ByteArrayOutputStream();
    try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      assertThatThrownBy(() -> in.transferTo(partial))
          .isInstanceOf(AuthenticationFailedException.class);
    }
    assertThat(partial.toByteArray()).isEqualTo(Arrays.copyOf(plaintext, 2048));
  }

  @Test
  void aWriteOfWholeFramesKeepsACopyOfTheFrameItHoldsBack() throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(256).build();
    byte[] written = randomBytes(3 * 256, 9);
    byte[] plaintext = written.clone();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    OutputStream encrypting = envelope.encryptingStream(out, CONTEXT);
    int header = out.size();

    encrypting.write(written);
    Arrays.fill(written, (byte) 0);
    encrypting.close();

    assertThat(out.size()).as("three frames, the last one final").isEqualTo(header + 3 * 276);
    assertThat(envelope.decrypt(out.toByteArray(), CONTEXT)).isEqualTo(plaintext);
  }

  @Test
  void streamsInterleavedOnOneThreadWithWholeMessagesBetweenTheirFramesStayCorrect()
      throws IOException {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(64).build();
    byte[][] plaintexts = {randomBytes(1_000, 5), randomBytes(777, 6)};
    ByteArrayOutputStream[] messages = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    try (OutputStream first = envelope.encryptingStream(messages[0], CONTEXT);
        OutputStream second = envelope.encryptingStream(messages[1], CONTEXT)) {
      OutputStream[] streams = {first, second};
      for (int at = 0; at < 1_000; at += 50) {
        for (int i = 0; i < 2; i++) {
          int length = Math.min(50, plaintexts[i].length - at);
          if (length > 0) {
            streams[i].write(plaintexts[i], at, length);
          }
          assertThat(envelope.decrypt(envelope.encrypt(new byte[100], CONTEXT), CONTEXT))
              .hasSize(100);
        }
      }
    }

    ByteArrayOutputStream[] read = {new ByteArrayOutputStream(), new ByteArrayOutputStream()};
    try (InputStream first =
            envelope.decryptingStream(new ByteArrayInputStream(messages[0].toByteArray()), CONTEXT);
        InputStream second =
            envelope.decryptingStream(
                new ByteArrayInputStream(messages[1].toByteArray()), CONTEXT)) {
      InputStream[] streams = {first, second};
      boolean[] done = new boolean[2];
      byte[] buffer = new byte[30];
      while (!done[0] || !done[1]) {
        for (int i = 0; i < 2; i++) {
          int n = done[i] ? -1 : streams[i].read(buffer);
          if (n < 0) {
            done[i] = true;
          } else {
            read[i].write(buffer, 0, n);
          }
          assertThat(envelope.decrypt(envelope.encrypt(new byte[10], CONTEXT), CONTEXT))
              .hasSize(10);
        }
      }
    }

    assertThat(read[0].toByteArray()).isEqualTo(plaintexts[0]);
    assertThat(read[1].toByteArray()).isEqualTo(plaintexts[1]);
    assertThat(envelope.decrypt(messages[1].toByteArray(), CONTEXT)).isEqualTo(plaintexts[1]);
  }

  @Test
  void streamFramesStayOnAnEngineTheBuilderNames() {
    Envelope named = TestKeks.envelope(keys, "orders").engine(Engines.named("native")).build();

    assertThat(named.streamEngine(64 * 1024).name()).isEqualTo("native");
    assertThat(named.streamEngine(1024).name()).isEqualTo("native");
  }

  static byte[] encryptInChunks(Envelope envelope, byte[] plaintext, Random random)
      throws IOException {
    return encryptInChunks(envelope, plaintext, random, CONTEXT);
  }

  static byte[] encryptInChunks(
      Envelope envelope, byte[] plaintext, Random random, EncryptionContext context)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream encrypting = envelope.encryptingStream(out, context)) {
      int at = 0;
      while (at < plaintext.length) {
        int n = Math.min(plaintext.length - at, random.nextInt(3000));
        if (n == 1) {
          encrypting.write(plaintext[at]);
        } else {
          encrypting.write(plaintext, at, n);
        }
        at += n;
      }
    }
    return out.toByteArray();
  }

  static byte[] decryptInChunks(Envelope envelope, byte[] message, Random random)
      throws IOException {
    return decryptInChunks(envelope, message, random, CONTEXT);
  }

  static byte[] decryptInChunks(
      Envelope envelope, byte[] message, Random random, EncryptionContext context)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(message), context)) {
      byte[] buffer = new byte[4096];
      int n;
      while ((n = in.read(buffer, 0, 1 + random.nextInt(buffer.length))) >= 0) {
        out.write(buffer, 0, n);
      }
    }
    return out.toByteArray();
  }

  private static byte[] randomBytes(int length, long seed) {
    byte[] bytes = new byte[length];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
