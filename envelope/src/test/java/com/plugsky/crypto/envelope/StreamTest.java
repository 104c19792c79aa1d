package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.context.EncryptionContext;
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
