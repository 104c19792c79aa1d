package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of damaged or hostile message fails with a typed exception and releases nothing. */
class BadInputTest {
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of("tenant", "acme", "purpose", "orders");
  private static final int FRAME = 16;

  /**
   * Version 2 offsets in these messages: the context (28 bytes compact) follows the 38 fixed bytes,
   * then the wrapped key count, then the one entry: KeyRef field (1 byte, local code), "orders",
   * wrapped length (1 byte), 69 wrapped bytes.
   */
  private static final int CONTEXT_AT = 38;

  private static final int COUNT_AT = CONTEXT_AT + 28;
  private static final int ENTRIES = COUNT_AT + 1;
  private static final int WRAPPED_LENGTH_AT = ENTRIES + 1 + 6;

  @TempDir Path keys;
  private Envelope envelope;
  private byte[] plaintext;
  private byte[] message;
  private int headerLength;

  @BeforeEach
  void encryptASmallThreeFrameMessage() {
    envelope = TestKeks.envelope(keys, "orders").frameSize(FRAME).build();
    plaintext = new byte[2 * FRAME + 5];
    for (int i = 0; i < plaintext.length; i++) {
      plaintext[i] = (byte) (i + 1);
    }
    message = envelope.encrypt(plaintext, CONTEXT);
    headerLength = Envelope.inspect(message).headerLength();
  }

  @Test
  void everySingleBitFlipInTheHeaderFails() {
    for (int position = 0; position < headerLength; position++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] damaged = message.clone();
        damaged[position] ^= (byte) (1 << bit);
        assertRejected(damaged, "header byte " + position + " bit " + bit);
      }
    }
  }

  @Test
  void everySingleBitFlipInTheBodyFails() {
    for (int position = headerLength; position < message.length; position++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] damaged = message.clone();
        damaged[position] ^= (byte) (1 << bit);
        assertRejected(damaged, "body byte " + position + " bit " + bit);
      }
    }
  }

  @Test
  void everyBitFlipInTheBodyFailsInAStreamBeforeItsFrameIsReleased() throws IOException {
    for (int position = headerLength; position < message.length; position++) {
      byte[] damaged = message.clone();
      damaged[position] ^= 0x01;
      int frame = (position - headerLength) / (FRAME + 20);
      ByteArrayOutputStream released = new ByteArrayOutputStream();
      Throwable failure = catchThrowable(() -> readAll(damaged, released));
      assertThat(failure)
          .as("body byte %d", position)
          .isInstanceOfAny(AuthenticationFailedException.class, MalformedCiphertextException.class);
      assertThat(released.toByteArray())
          .as("plaintext released before the failure at byte %d", position)
          .isEqualTo(Arrays.copyOf(plaintext, frame * FRAME));
    }
  }

  @Test
  void everyTruncationFails() throws IOException {
    for (int length = 0; length < message.length; length++) {
      byte[] truncated = Arrays.copyOf(message, length);
      assertThatThrownBy(() -> envelope.decrypt(truncated, CONTEXT))
          .as("truncated to %d bytes", length)
          .isInstanceOf(MalformedCiphertextException.class);
      ByteArrayOutputStream released = new ByteArrayOutputStream();
      assertThatThrownBy(() -> readAll(truncated, released))
          .as("stream truncated to %d bytes", length)
          .isInstanceOf(MalformedCiphertextException.class);
      assertThat(released.toByteArray()).isEqualTo(Arrays.copyOf(plaintext, released.size()));
      int wholeFramesKept = Math.max(0, length - headerLength) / (FRAME + 20);
      assertThat(released.size())
          .as("stream truncated to %d bytes releases whole frames it holds, no part of one", length)
          .isLessThanOrEqualTo(wholeFramesKept * FRAME)
          .isEqualTo(released.size() / FRAME * FRAME);
    }
  }

  @Test
  void cuttingTheLastFrameAndMarkingThePreviousOneFinalFails() {
    int secondWord = headerLength + FRAME + 20;
    byte[] cut = Arrays.copyOf(message, secondWord + FRAME + 20);
    cut[secondWord] |= (byte) 0x80;

    assertThatThrownBy(() -> envelope.decrypt(cut, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void anExtraFrameAfterTheFinalOneFails() {
    byte[] finalFrame =
        Arrays.copyOfRange(message, headerLength + 2 * (FRAME + 20), message.length);
    byte[] extended = concat(message, finalFrame);

    assertThatThrownBy(() -> envelope.decrypt(extended, CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("after its final frame");
    assertThatThrownBy(() -> readAll(extended, new ByteArrayOutputStream()))
        .isInstanceOf(MalformedCiphertextException.class);
    assertThatThrownBy(() -> envelope.decrypt(concat(message, new byte[] {0}), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class);
  }

  @Test
  void reorderedOrDuplicatedFramesFail() {
    int first = headerLength;
    int second = headerLength + FRAME + 20;
    byte[] frame0 = Arrays.copyOfRange(message, first, second);
    byte[] frame1 = Arrays.copyOfRange(message, second, second + FRAME + 20);
    byte[] rest = Arrays.copyOfRange(message, second + FRAME + 20, message.length);
    byte[] header = Arrays.copyOf(message, headerLength);

    byte[] swapped = concat(header, frame1, frame0, rest);
    byte[] duplicated = concat(header, frame0, frame0, frame1, rest);

    assertThatThrownBy(() -> envelope.decrypt(swapped, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> envelope.decrypt(duplicated, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void framesSwappedBetweenMessagesUnderTheSameCachedDataKeyFail() {
    Envelope cached =
        TestKeks.envelope(keys, "orders")
            .frameSize(FRAME)
            .dataKeyCache(DataKeyCache.builder().build())
            .build();
    byte[] a = cached.encrypt(plaintext, CONTEXT);
    byte[] b = cached.encrypt(plaintext, CONTEXT);
    byte[] mixed = a.clone();
    System.arraycopy(b, headerLength + FRAME + 20, mixed, headerLength + FRAME + 20, FRAME + 20);

    assertThat(Arrays.copyOfRange(a, ENTRIES, ENTRIES + 77))
        .as("same cached wrapping")
        .isEqualTo(Arrays.copyOfRange(b, ENTRIES, ENTRIES + 77));
    assertThat(cached.decrypt(b, CONTEXT)).isEqualTo(plaintext);
    assertThatThrownBy(() -> cached.decrypt(mixed, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void theHeaderOfOneMessageDoesNotOpenTheBodyOfAnother() {
    byte[] other = envelope.encrypt(plaintext, CONTEXT);
    byte[] spliced =
        concat(
            Arrays.copyOf(message, headerLength),
            Arrays.copyOfRange(other, headerLength, other.length));

    assertThatThrownBy(() -> envelope.decrypt(spliced, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void anEmptyMessageIsMalformed() {
    assertThatThrownBy(() -> envelope.decrypt(new byte[0], CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("header");
    assertThatThrownBy(() -> envelope.decryptingStream(InputStream.nullInputStream(), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class);
    assertThatThrownBy(() -> Envelope.inspect(new byte[0]))
        .isInstanceOf(MalformedCiphertextException.class);
  }

  @Test
  void aHeaderWithoutBodyIsMalformed() {
    assertThatThrownBy(() -> envelope.decrypt(Arrays.copyOf(message, headerLength), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("before its final frame");
  }

  @Test
  void aHeaderClaimingTooManyWrappedKeysFailsBeforeReadingThem() throws IOException {
    // The count is one byte, so 10^9 keys cannot even be written down: 255 is the most a header
    // can claim, and anything above 16 is refused before a single entry is read.
    byte[] hostile = Arrays.copyOf(message, COUNT_AT + 1);
    hostile[COUNT_AT] = (byte) 255;
    CountingStream in = new CountingStream(concat(hostile, new byte[1 << 20]));

    assertThatThrownBy(() -> envelope.decryptingStream(in, CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("255 wrapped keys");
    assertThat(in.read).isEqualTo(hostile.length);
  }

  @Test
  void aHeaderClaimingHugeFramesFailsBeforeTheBody() throws IOException {
    byte[] hostile = message.clone();
    hostile[5] = 40;
    CountingStream in = new CountingStream(hostile);

    assertThatThrownBy(() -> envelope.decryptingStream(in, CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("2^40");
    assertThat(in.read).isEqualTo(CONTEXT_AT);
    assertThatThrownBy(() -> Envelope.inspect(hostile))
        .isInstanceOf(MalformedCiphertextException.class);
  }

  @Test
  void aHeaderPastItsTotalLimitFailsThoughEachFieldIsWithinItsOwn() {
    // 16 wrapped keys (the most) of 4096 bytes (the most each) need 65,680 bytes of entries alone.
    ByteArrayOutputStream entries = new ByteArrayOutputStream();
    entries.write(16);
    for (int i = 0; i < 16; i++) {
      entries.write(message[ENTRIES]); // the local scheme's KeyRef field for a 6-character name
      entries.writeBytes(("order" + (char) ('a' + i)).getBytes(StandardCharsets.US_ASCII));
      entries.writeBytes(new byte[] {(byte) 0x80, 0x20}); // varint 4096
      entries.writeBytes(new byte[4096]);
    }
    byte[] hostile =
        concat(Arrays.copyOf(message, COUNT_AT), entries.toByteArray(), new byte[32 + 1024]);
    CountingStream in = new CountingStream(hostile);

    assertThatThrownBy(() -> Envelope.inspect(hostile))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("longer than the format's limit of 65536 bytes");
    assertThatThrownBy(() -> envelope.decryptingStream(in, CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("65536");
    assertThat(in.read).isLessThanOrEqualTo(Format.MAX_HEADER_LENGTH);
  }

  @Test
  void aContextPastItsTotalLimitFailsThoughEachPairIsWithinItsOwn() {
    // Four pairs with 2048-byte values (the most for one value) come to 8,218 canonical bytes.
    ByteArrayOutputStream context = new ByteArrayOutputStream();
    context.write(4);
    for (int i = 0; i < 4; i++) {
      context.write(2);
      context.writeBytes(("k" + i).getBytes(StandardCharsets.US_ASCII));
      context.writeBytes(new byte[] {(byte) 0x80, 0x10}); // varint 2048
      context.writeBytes("v".repeat(2048).getBytes(StandardCharsets.US_ASCII));
    }
    byte[] hostile =
        concat(
            Arrays.copyOf(message, CONTEXT_AT),
            context.toByteArray(),
            Arrays.copyOfRange(message, COUNT_AT, message.length));

    assertThatThrownBy(() -> Envelope.inspect(hostile))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("at most 2048 and 8192 for the whole context");
    assertThatThrownBy(() -> envelope.decrypt(hostile, CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class);
  }

  @Test
  void aStreamIsHandedOutOnlyForAnAuthenticHeader() {
    // The message id is covered by the frames' tags, not by the key commitment: the stream checks
    // the first frame before it returns, so header() never describes a changed one.
    for (int at : new int[] {Format.MESSAGE_ID_OFFSET, Format.MESSAGE_ID_OFFSET + 31}) {
      byte[] changed = message.clone();
      changed[at] ^= 1;
      CountingStream in = new CountingStream(changed);

      assertThatThrownBy(() -> envelope.decryptingStream(in, CONTEXT))
          .as("message id byte %d", at - Format.MESSAGE_ID_OFFSET)
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(in.read).isEqualTo(headerLength + 4 + FRAME + 16);
    }
  }

  @Test
  void aFrameClaimingMoreThanTheFrameSizeFailsBeforeItIsRead() throws IOException {
    byte[] hostile = message.clone();
    ByteBuffer.wrap(hostile, headerLength, 4).putInt(0x7fff_ffff);
    CountingStream in = new CountingStream(concat(hostile, new byte[1 << 20]));

    assertThatThrownBy(() -> envelope.decrypt(hostile, CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("2147483647");
    assertThatThrownBy(() -> envelope.decryptingStream(in, CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("2147483647");
    assertThat(in.read).isEqualTo(headerLength + 4);
  }

  @Test
  void lengthFieldsBeyondTheirLimitsFailBeforeAllocation() {
    byte[] maxVarint = {(byte) 0xff, (byte) 0xff, 0x7f};
    byte[] tooManyPairs = message.clone();
    tooManyPairs[CONTEXT_AT] = 0x7f;
    byte[] contextKeyTooLong = replace(message, CONTEXT_AT + 1, 1, maxVarint);
    byte[] keyRefTooLong =
        replace(message, ENTRIES, 1, new byte[] {(byte) 0xf9, (byte) 0xff, 0x7f});
    byte[] wrappedTooLong = replace(message, WRAPPED_LENGTH_AT, 1, maxVarint);
    byte[] varintTooLong =
        replace(
            message, WRAPPED_LENGTH_AT, 1, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
    byte[] redundantVarint =
        replace(message, WRAPPED_LENGTH_AT, 1, new byte[] {(byte) (69 | 0x80), 0});

    assertThatThrownBy(() -> Envelope.inspect(tooManyPairs)).hasMessageContaining("127");
    assertThatThrownBy(() -> Envelope.inspect(contextKeyTooLong)).hasMessageContaining("2097151");
    assertThatThrownBy(() -> Envelope.inspect(keyRefTooLong)).hasMessageContaining("262149");
    assertThatThrownBy(() -> Envelope.inspect(wrappedTooLong)).hasMessageContaining("2097151");
    assertThatThrownBy(() -> Envelope.inspect(varintTooLong)).hasMessageContaining("longer than");
    assertThatThrownBy(() -> Envelope.inspect(redundantVarint)).hasMessageContaining("redundant");
    for (byte[] hostile :
        List.of(
            tooManyPairs,
            contextKeyTooLong,
            keyRefTooLong,
            wrappedTooLong,
            varintTooLong,
            redundantVarint)) {
      assertThatThrownBy(() -> envelope.decrypt(hostile, CONTEXT))
          .isInstanceOf(MalformedCiphertextException.class);
    }
  }

  @Test
  void version1LengthFieldsBeyondTheirLimitsFailBeforeAllocation() {
    byte[] v1 =
        Envelope.seal(
            Format.VERSION_1,
            Engines.defaultEngine(),
            4,
            CryptoRandom.bytes(32),
            CryptoRandom.bytes(32),
            CONTEXT,
            Header.parse(message).entries(),
            plaintext);
    byte[] contextTooLong = v1.clone();
    ByteBuffer.wrap(contextTooLong, 38, 2).putShort((short) 0xffff);
    byte[] keyRefTooLong = v1.clone();
    ByteBuffer.wrap(keyRefTooLong, 74, 2).putShort((short) 0xffff);
    byte[] wrappedTooLong = v1.clone();
    ByteBuffer.wrap(wrappedTooLong, 74 + 2 + 12, 2).putShort((short) 0xffff);

    assertThat(Envelope.inspect(v1).version()).isEqualTo(1);
    assertThatThrownBy(() -> Envelope.inspect(contextTooLong)).hasMessageContaining("65535");
    assertThatThrownBy(() -> Envelope.inspect(keyRefTooLong)).hasMessageContaining("65535");
    assertThatThrownBy(() -> Envelope.inspect(wrappedTooLong)).hasMessageContaining("65535");
    for (byte[] hostile : List.of(contextTooLong, keyRefTooLong, wrappedTooLong)) {
      assertThatThrownBy(() -> envelope.decrypt(hostile, CONTEXT))
          .isInstanceOf(MalformedCiphertextException.class);
    }
  }

  @Test
  void aKnownSchemeWrittenWholeOrAnUnassignedSchemeCodeIsMalformed() {
    byte[] whole = "local:orders".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] field = {(byte) (whole.length << 3)};
    byte[] written = replace(message, ENTRIES, 1 + 6, concat(field, whole));
    byte[] unassigned = message.clone();
    unassigned[ENTRIES] = (byte) (6 << 3 | 7);

    assertThatThrownBy(() -> Envelope.inspect(written))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("as a code");
    assertThatThrownBy(() -> Envelope.inspect(unassigned))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("unassigned");
  }

  @Test
  void anUnknownVersionOrSuiteIsRefused() {
    byte[] version4 = message.clone();
    version4[3] = 4;
    byte[] version0 = message.clone();
    version0[3] = 0;
    byte[] suite2 = message.clone();
    suite2[4] = 2;

    assertThatThrownBy(() -> envelope.decrypt(version4, CONTEXT)).hasMessageContaining("version 4");
    assertThatThrownBy(() -> envelope.decrypt(version0, CONTEXT)).hasMessageContaining("version 0");
    assertThatThrownBy(() -> envelope.decrypt(suite2, CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("suite 2");
  }

  @Test
  void aWrappedKeyUnderAnUnknownSchemeIsSkippedAndAloneItFails() {
    Header.Entry unknown = new Header.Entry("x-future-kms:key/1", new byte[40]);
    Header.Entry local = Header.parse(message).entries().getFirst();
    byte[] dataKey = CryptoRandom.bytes(32);
    byte[] messageId = CryptoRandom.bytes(32);
    byte[] onlyUnknown =
        Envelope.seal(
            Format.CURRENT_VERSION,
            Engines.defaultEngine(),
            4,
            dataKey,
            messageId,
            CONTEXT,
            List.of(unknown),
            plaintext);

    assertThat(Envelope.inspect(onlyUnknown).wrappedKeys().getFirst().keyRef())
        .isEqualTo("x-future-kms:key/1");
    assertThatThrownBy(() -> envelope.decrypt(onlyUnknown, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("x-future-kms:key/1");
    // The local entry of another message wraps another data key: skipped or not, the
    // commitment refuses it.
    byte[] borrowed =
        Envelope.seal(
            Format.CURRENT_VERSION,
            Engines.defaultEngine(),
            4,
            dataKey,
            messageId,
            CONTEXT,
            List.of(unknown, local),
            plaintext);
    assertThatThrownBy(() -> envelope.decrypt(borrowed, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("key commitment does not match");
  }

  @Test
  void aKekWithNoWrapperOnTheClasspathIsAConfigurationError() {
    Envelope hsm =
        Envelope.builder()
            .kek(KeyRef.parse("pkcs11:token=hsm1;object=kek;type=secret-key"))
            .build();

    assertThatThrownBy(() -> hsm.encrypt(plaintext, CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("pkcs11");
  }

  private void assertRejected(byte[] damaged, String what) {
    Throwable failure = catchThrowable(() -> envelope.decrypt(damaged, CONTEXT));
    assertThat(failure)
        .as(what)
        .isInstanceOfAny(AuthenticationFailedException.class, MalformedCiphertextException.class);
  }

  private void readAll(byte[] bytes, ByteArrayOutputStream released) throws IOException {
    try (DecryptingInputStream in =
        envelope.decryptingStream(new ByteArrayInputStream(bytes), CONTEXT)) {
      byte[] buffer = new byte[7];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        released.write(buffer, 0, n);
      }
    }
  }

  /** {@code bytes} with {@code length} bytes at {@code at} replaced by {@code replacement}. */
  private static byte[] replace(byte[] bytes, int at, int length, byte[] replacement) {
    return concat(
        Arrays.copyOf(bytes, at),
        replacement,
        Arrays.copyOfRange(bytes, at + length, bytes.length));
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** Counts the bytes a reader took, to show it stopped at the bad field. */
  private static final class CountingStream extends ByteArrayInputStream {
    int read;

    CountingStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public synchronized int read() {
      int b = super.read();
      if (b >= 0) {
        read++;
      }
      return b;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      int n = super.read(b, off, len);
      if (n > 0) {
        read += n;
      }
      return n;
    }
  }
}
