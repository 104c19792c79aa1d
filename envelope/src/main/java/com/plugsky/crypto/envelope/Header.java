package com.plugsky.crypto.envelope;

import static com.plugsky.crypto.envelope.Format.FIXED_PREFIX_LENGTH;
import static com.plugsky.crypto.envelope.Format.HEADER_TAG_LENGTH;
import static com.plugsky.crypto.envelope.Format.MAX_CONTEXT_LENGTH;
import static com.plugsky.crypto.envelope.Format.MAX_FRAME_EXPONENT;
import static com.plugsky.crypto.envelope.Format.MAX_HEADER_LENGTH;
import static com.plugsky.crypto.envelope.Format.MAX_KEY_REF_LENGTH;
import static com.plugsky.crypto.envelope.Format.MAX_WRAPPED_KEYS;
import static com.plugsky.crypto.envelope.Format.MAX_WRAPPED_LENGTH;
import static com.plugsky.crypto.envelope.Format.MESSAGE_ID_LENGTH;
import static com.plugsky.crypto.envelope.Format.MIN_CONTEXT_LENGTH;
import static com.plugsky.crypto.envelope.Format.MIN_FRAME_EXPONENT;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A message header: its fields and its exact bytes, tag included. Parsing checks every limit of
 * docs/FORMAT.md before reading the bytes a length field announces, so a hostile header costs at
 * most {@value Format#MAX_HEADER_LENGTH} bytes. Parsing needs no key; {@link #tagMatches} does.
 */
final class Header {
  /** One wrapped data key: the KeyRef as written (possibly a scheme this library does not know). */
  record Entry(String keyRef, byte[] wrapped) {
    Entry {
      wrapped = wrapped.clone();
    }

    @Override
    public byte[] wrapped() {
      return wrapped.clone();
    }
  }

  private final int frameExponent;
  private final byte[] messageId;
  private final EncryptionContext context;
  private final List<Entry> entries;
  private final byte[] bytes;

  private Header(
      int frameExponent,
      byte[] messageId,
      EncryptionContext context,
      List<Entry> entries,
      byte[] bytes) {
    this.frameExponent = frameExponent;
    this.messageId = messageId;
    this.context = context;
    this.entries = List.copyOf(entries);
    this.bytes = bytes;
  }

  int frameSize() {
    return 1 << frameExponent;
  }

  byte[] messageId() {
    return messageId.clone();
  }

  EncryptionContext context() {
    return context;
  }

  List<Entry> entries() {
    return entries;
  }

  int length() {
    return bytes.length;
  }

  /** The exact header bytes, tag included; a fresh copy. */
  byte[] bytes() {
    return bytes.clone();
  }

  void writeTo(byte[] out, int offset) {
    System.arraycopy(bytes, 0, out, offset, bytes.length);
  }

  /** Whether the header tag is the one {@code headerKey} gives; constant time. */
  boolean tagMatches(byte[] headerKey, SymmetricPrimitives primitives) {
    byte[] expected = computeTag(headerKey, bytes, bytes.length - HEADER_TAG_LENGTH, primitives);
    byte[] actual = Arrays.copyOfRange(bytes, bytes.length - HEADER_TAG_LENGTH, bytes.length);
    return Bytes.constantTimeEquals(expected, actual);
  }

  /** The same message id, context and frame size with other entries and a new tag, for rewrap. */
  Header withEntries(List<Entry> newEntries, byte[] headerKey, SymmetricPrimitives primitives) {
    return build(frameExponent, messageId, context, newEntries, headerKey, primitives);
  }

  String sha256Hex() {
    try {
      return Bytes.hex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  EnvelopeHeader describe() {
    return new EnvelopeHeader(
        Format.VERSION,
        Format.SUITE,
        Bytes.hex(messageId),
        context,
        entries.stream()
            .map(e -> new EnvelopeHeader.WrappedKeyInfo(e.keyRef(), e.wrapped.length))
            .toList(),
        frameSize(),
        bytes.length);
  }

  /**
   * Lays out a header and appends its tag.
   *
   * @throws InvalidInputException when the entries break a limit of the format
   */
  static Header build(
      int frameExponent,
      byte[] messageId,
      EncryptionContext context,
      List<Entry> entries,
      byte[] headerKey,
      SymmetricPrimitives primitives) {
    if (entries.isEmpty() || entries.size() > MAX_WRAPPED_KEYS) {
      throw new InvalidInputException(
          "a message carries 1.." + MAX_WRAPPED_KEYS + " wrapped keys, not " + entries.size());
    }
    byte[] encodedContext = context.encoded();
    long length = FIXED_PREFIX_LENGTH + encodedContext.length + 1L + HEADER_TAG_LENGTH;
    Set<String> seen = new HashSet<>();
    for (Entry entry : entries) {
      if (!seen.add(entry.keyRef())) {
        throw new InvalidInputException("KeyRef " + entry.keyRef() + " is listed twice");
      }
      if (entry.wrapped.length == 0 || entry.wrapped.length > MAX_WRAPPED_LENGTH) {
        throw new InvalidInputException(
            "the wrapped key under "
                + entry.keyRef()
                + " is "
                + entry.wrapped.length
                + " bytes; the format holds 1.."
                + MAX_WRAPPED_LENGTH);
      }
      length += 4L + entry.keyRef().length() + entry.wrapped.length;
    }
    if (length > MAX_HEADER_LENGTH) {
      throw new InvalidInputException(
          "the header would be " + length + " bytes; the format allows " + MAX_HEADER_LENGTH);
    }
    ByteBuffer out = ByteBuffer.allocate((int) length);
    out.put(Format.MAGIC).put((byte) Format.VERSION).put((byte) Format.SUITE);
    out.put((byte) frameExponent).put(messageId);
    out.putShort((short) encodedContext.length).put(encodedContext);
    out.put((byte) entries.size());
    for (Entry entry : entries) {
      byte[] keyRef = entry.keyRef().getBytes(StandardCharsets.US_ASCII);
      out.putShort((short) keyRef.length).put(keyRef);
      out.putShort((short) entry.wrapped.length).put(entry.wrapped);
    }
    byte[] bytes = out.array();
    byte[] tag = computeTag(headerKey, bytes, out.position(), primitives);
    out.put(tag);
    return new Header(frameExponent, messageId.clone(), context, entries, bytes);
  }

  private static byte[] computeTag(
      byte[] headerKey, byte[] header, int authenticatedLength, SymmetricPrimitives primitives) {
    return primitives.hmacSha256(headerKey, Arrays.copyOf(header, authenticatedLength));
  }

  /** Parses the header at the start of {@code message}; the body follows at {@link #length()}. */
  static Header parse(byte[] message) {
    try {
      return read(new ByteArrayInputStream(message));
    } catch (IOException e) {
      throw new UncheckedIOException("a byte array cannot fail to read", e);
    }
  }

  /**
   * Reads exactly one header from {@code in}, leaving the stream at the first frame.
   *
   * @throws MalformedCiphertextException when the bytes are not a version 1 suite 1 header within
   *     the format's limits, or the stream ends inside the header
   */
  static Header read(InputStream in) throws IOException {
    BoundedReader reader = new BoundedReader(in);
    byte[] prefix = reader.take(FIXED_PREFIX_LENGTH, "the fixed header fields");
    if (!Arrays.equals(prefix, 0, 3, Format.MAGIC, 0, 3)) {
      throw new MalformedCiphertextException(
          "not an envelope message: it does not start with the magic bytes 50 53 45 (\"PSE\")");
    }
    int version = Byte.toUnsignedInt(prefix[3]);
    if (version != Format.VERSION) {
      throw new MalformedCiphertextException(
          "envelope format version "
              + version
              + " is not supported; this library reads version "
              + Format.VERSION);
    }
    int suite = Byte.toUnsignedInt(prefix[4]);
    if (suite != Format.SUITE) {
      throw new MalformedCiphertextException(
          "envelope suite "
              + suite
              + " is not supported; this library reads suite "
              + Format.SUITE);
    }
    int frameExponent = Byte.toUnsignedInt(prefix[5]);
    if (frameExponent < MIN_FRAME_EXPONENT || frameExponent > MAX_FRAME_EXPONENT) {
      throw new MalformedCiphertextException(
          "header claims frames of 2^"
              + frameExponent
              + " bytes; the format allows 2^"
              + MIN_FRAME_EXPONENT
              + " to 2^"
              + MAX_FRAME_EXPONENT);
    }
    byte[] messageId = Arrays.copyOfRange(prefix, 6, 6 + MESSAGE_ID_LENGTH);
    int contextLength = ByteBuffer.wrap(prefix, 6 + MESSAGE_ID_LENGTH, 2).getShort() & 0xffff;
    if (contextLength < MIN_CONTEXT_LENGTH || contextLength > MAX_CONTEXT_LENGTH) {
      throw new MalformedCiphertextException(
          "header claims an encryption context of "
              + contextLength
              + " bytes; the format allows "
              + MIN_CONTEXT_LENGTH
              + ".."
              + MAX_CONTEXT_LENGTH);
    }
    EncryptionContext context =
        EncryptionContext.decode(reader.take(contextLength, "the encryption context"));
    int count = reader.u8("the wrapped key count");
    if (count < 1 || count > MAX_WRAPPED_KEYS) {
      throw new MalformedCiphertextException(
          "header claims " + count + " wrapped keys; the format allows 1.." + MAX_WRAPPED_KEYS);
    }
    List<Entry> entries = new ArrayList<>(count);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < count; i++) {
      int keyRefLength = reader.u16("the KeyRef length of wrapped key " + i);
      if (keyRefLength < 1 || keyRefLength > MAX_KEY_REF_LENGTH) {
        throw new MalformedCiphertextException(
            "wrapped key "
                + i
                + " claims a KeyRef of "
                + keyRefLength
                + " bytes; the format allows 1.."
                + MAX_KEY_REF_LENGTH);
      }
      byte[] keyRefBytes = reader.take(keyRefLength, "the KeyRef of wrapped key " + i);
      for (byte b : keyRefBytes) {
        if (b < 0x21 || b > 0x7e) {
          throw new MalformedCiphertextException(
              "the KeyRef of wrapped key " + i + " holds a byte outside printable ASCII");
        }
      }
      String keyRef = new String(keyRefBytes, StandardCharsets.US_ASCII);
      if (!seen.add(keyRef)) {
        throw new MalformedCiphertextException("header lists KeyRef " + keyRef + " twice");
      }
      int wrappedLength = reader.u16("the wrapped length of " + keyRef);
      if (wrappedLength < 1 || wrappedLength > MAX_WRAPPED_LENGTH) {
        throw new MalformedCiphertextException(
            "the wrapped key under "
                + keyRef
                + " claims "
                + wrappedLength
                + " bytes; the format allows 1.."
                + MAX_WRAPPED_LENGTH);
      }
      entries.add(new Entry(keyRef, reader.take(wrappedLength, "the wrapped key under " + keyRef)));
    }
    reader.take(HEADER_TAG_LENGTH, "the header tag");
    return new Header(frameExponent, messageId, context, entries, reader.bytesRead());
  }

  /** Reads exact lengths, refusing any read that would take the header past its limit. */
  private static final class BoundedReader {
    private final InputStream in;
    private final ByteArrayOutputStream read = new ByteArrayOutputStream(256);

    BoundedReader(InputStream in) {
      this.in = in;
    }

    byte[] take(int length, String what) throws IOException {
      if (read.size() + (long) length > MAX_HEADER_LENGTH) {
        throw new MalformedCiphertextException(
            "header is longer than the format's limit of "
                + MAX_HEADER_LENGTH
                + " bytes (at "
                + what
                + ")");
      }
      byte[] bytes = in.readNBytes(length);
      if (bytes.length < length) {
        throw new MalformedCiphertextException(
            "message ends inside its header: "
                + what
                + " needs "
                + length
                + " bytes, "
                + bytes.length
                + " are left");
      }
      read.write(bytes, 0, length);
      return bytes;
    }

    int u8(String what) throws IOException {
      return Byte.toUnsignedInt(take(1, what)[0]);
    }

    int u16(String what) throws IOException {
      byte[] two = take(2, what);
      return (Byte.toUnsignedInt(two[0]) << 8) | Byte.toUnsignedInt(two[1]);
    }

    byte[] bytesRead() {
      return read.toByteArray();
    }
  }
}
