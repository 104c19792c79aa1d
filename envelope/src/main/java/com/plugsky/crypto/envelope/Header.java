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
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.primitive.Bytes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A message header: its fields and its exact bytes, up to its last field (the header tag of
 * versions 1 and 2, the key commitment of version 3). Parsing checks every limit of docs/FORMAT.md
 * before reading the bytes a length field announces, so a hostile header costs at most {@value
 * Format#MAX_HEADER_LENGTH} bytes. Parsing needs no key; {@link #lastFieldMatches} does.
 */
final class Header {
  /**
   * One wrapped data key: the KeyRef as written (possibly a scheme this library does not know). The
   * entry takes {@code wrapped} over: callers hand it an array of its own (a copy, or bytes fresh
   * from a key wrapper), which saves the parser a second copy of every wrapped key it reads.
   */
  record Entry(String keyRef, byte[] wrapped) {
    @Override
    public byte[] wrapped() {
      return wrapped.clone();
    }

    /**
     * The wrapped bytes themselves, for a reader that keeps them unchanged (the data-key cache's
     * lookup key, a {@code WrappedKey}, which copies them): an entry never changes them either.
     */
    byte[] wrappedUnshared() {
      return wrapped;
    }
  }

  private final int version;
  private final int frameExponent;
  private final EncryptionContext context;
  private final List<Entry> entries;
  /**
   * The header is {@code source[0..length)}: a parsed header reads it where it lies (in the message
   * being decrypted, or in the stream reader's buffer) instead of copying it, which is why a
   * {@code Header} lives no longer than the call that parsed it.
   */
  private final byte[] source;
  private final int length;
  private final int contextEnd;

  private Header(
      int version,
      int frameExponent,
      EncryptionContext context,
      List<Entry> entries,
      byte[] source,
      int length,
      int contextEnd) {
    this.version = version;
    this.frameExponent = frameExponent;
    this.context = context;
    this.entries = entries;
    this.source = source;
    this.length = length;
    this.contextEnd = contextEnd;
  }

  int version() {
    return version;
  }

  int suite() {
    return Format.suiteOf(version);
  }

  int frameSize() {
    return 1 << frameExponent;
  }

  byte[] messageId() {
    return Arrays.copyOfRange(
        source, Format.MESSAGE_ID_OFFSET, Format.MESSAGE_ID_OFFSET + MESSAGE_ID_LENGTH);
  }

  /**
   * Suites 2 and 3: the keys of this message under a data key whose secrets are derived, the
   * payload key written into {@code payloadKey}; holds a reference to {@code secrets} until closed.
   */
  MessageKeys messageKeys(DataKeySecrets secrets, byte[] payloadKey) {
    return MessageKeys.forMessage(secrets, source, Format.MESSAGE_ID_OFFSET, payloadKey);
  }

  EncryptionContext context() {
    return context;
  }

  List<Entry> entries() {
    return entries;
  }

  int length() {
    return length;
  }

  /** The exact header bytes, last field included; a fresh copy. */
  byte[] bytes() {
    return Arrays.copyOf(source, length);
  }

  void writeTo(byte[] out, int offset) {
    System.arraycopy(source, 0, out, offset, length);
  }

  /**
   * Whether the header's last field (tag or key commitment) is the one {@code sealer} computes;
   * constant time.
   */
  boolean lastFieldMatches(HeaderSealer sealer) {
    return sealer.lastFieldMatches(source, contextEnd, length - HEADER_TAG_LENGTH);
  }

  /**
   * The same version, message id, context and frame size with other entries, sealed by {@code
   * sealer} (the same data key's), for rewrap.
   */
  Header withEntries(List<Entry> newEntries, HeaderSealer sealer) {
    return Layout.of(version, frameExponent, context, newEntries).seal(messageId(), sealer);
  }

  /** The frame cipher of this message's body under {@code payloadKey}, which the engine copies. */
  FrameCipher newFrameCipher(AeadEngine engine, byte[] payloadKey) {
    return FrameCipher.of(engine, payloadKey, suite(), source, contextEnd);
  }

  String sha256Hex() {
    return sha256Hex(source, length);
  }

  /** The SHA-256 of the first {@code length} bytes of {@code message}, lower-case hex. */
  static String sha256Hex(byte[] message, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(message, 0, length);
      return Bytes.hex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  EnvelopeHeader describe() {
    return new EnvelopeHeader(
        version,
        suite(),
        Bytes.hex(messageId()),
        context,
        entries.stream()
            .map(e -> new EnvelopeHeader.WrappedKeyInfo(e.keyRef(), e.wrapped.length))
            .toList(),
        frameSize(),
        length);
  }

  /**
   * Every header byte but the message id and the last field, measured once and written straight
   * into each message; kept as a copy from the second message on, so that messages under one cached
   * data key only copy them and fill in their id and last field (a tag computed per message in
   * version 2, the commitment to the data key and these wrapped keys, the same for every message,
   * in version 3), while a data key that serves one message writes its header once, with no copy.
   */
  static final class Layout {
    private final int version;
    private final int frameExponent;
    private final EncryptionContext context;
    private final byte[] encodedContext;
    private final List<Entry> entries;
    private final int taggedLength;
    private final int contextEnd;
    /** The header's bytes before its last field, message id zero, once kept; else null. */
    private volatile byte[] tagged;

    private volatile boolean written;

    private Layout(
        int version,
        int frameExponent,
        EncryptionContext context,
        byte[] encodedContext,
        List<Entry> entries,
        int taggedLength,
        int contextEnd) {
      this.version = version;
      this.frameExponent = frameExponent;
      this.context = context;
      this.encodedContext = encodedContext;
      this.entries = entries;
      this.taggedLength = taggedLength;
      this.contextEnd = contextEnd;
    }

    /**
     * @throws InvalidInputException when the entries break a limit of the format
     */
    static Layout of(
        int version, int frameExponent, EncryptionContext context, List<Entry> entries) {
      if (entries.isEmpty() || entries.size() > MAX_WRAPPED_KEYS) {
        throw new InvalidInputException(
            "a message carries 1.." + MAX_WRAPPED_KEYS + " wrapped keys, not " + entries.size());
      }
      // One entry, the usual case, cannot repeat a KeyRef: no set to build per message.
      Set<String> seen = entries.size() == 1 ? Set.of() : new HashSet<>();
      for (Entry entry : entries) {
        if (entries.size() > 1 && !seen.add(entry.keyRef())) {
          throw new InvalidInputException("KeyRef " + entry.keyRef() + " is listed twice");
        }
        if (!Compact.isLastWritten(entry.keyRef()) && !isKeyRefText(entry.keyRef())) {
          throw new InvalidInputException(
              "a KeyRef in a header is 1.."
                  + MAX_KEY_REF_LENGTH
                  + " printable ASCII characters; not the one given for wrapped key "
                  + entries.indexOf(entry));
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
      }
      byte[] encodedContext = Compact.encodingOf(context);
      Writer counter = Writer.counting();
      int contextEnd = render(version, frameExponent, encodedContext, entries, counter);
      if (counter.size() + HEADER_TAG_LENGTH > MAX_HEADER_LENGTH) {
        throw new InvalidInputException(
            "the header would be "
                + (counter.size() + HEADER_TAG_LENGTH)
                + " bytes; the format allows "
                + MAX_HEADER_LENGTH);
      }
      return new Layout(
          version,
          frameExponent,
          context,
          encodedContext,
          List.copyOf(entries),
          counter.size(),
          contextEnd);
    }

    /**
     * Writes the header fields before the last one, message id zero; returns where the context
     * ends.
     */
    private static int render(
        int version,
        int frameExponent,
        byte[] encodedContext,
        List<Entry> entries,
        Writer out) {
      out.writeBytes(Format.MAGIC);
      out.write(version);
      out.write(Format.suiteOf(version));
      out.write(frameExponent);
      out.skip(MESSAGE_ID_LENGTH);
      if (version == Format.VERSION_1) {
        out.writeU16(encodedContext.length);
        out.writeBytes(encodedContext);
      } else {
        Compact.writeContext(encodedContext, out);
      }
      int contextEnd = out.size();
      out.write(entries.size());
      for (Entry entry : entries) {
        if (version == Format.VERSION_1) {
          out.writeU16(entry.keyRef().length());
          out.writeAscii(entry.keyRef(), 0);
          out.writeU16(entry.wrapped.length);
        } else {
          Compact.writeKeyRef(entry.keyRef(), out);
          Compact.writeVarint(entry.wrapped.length, out);
        }
        out.writeBytes(entry.wrapped);
      }
      return contextEnd;
    }

    /** Whether a header can hold {@code keyRef}: what readers accept, one byte per character. */
    private static boolean isKeyRefText(String keyRef) {
      if (keyRef.isEmpty() || keyRef.length() > MAX_KEY_REF_LENGTH) {
        return false;
      }
      for (int i = 0; i < keyRef.length(); i++) {
        if (!Compact.isKeyRefCharacter(keyRef.charAt(i))) {
          return false;
        }
      }
      return true;
    }

    int frameSize() {
      return 1 << frameExponent;
    }

    /** The header's length, last field included. */
    int headerLength() {
      return taggedLength + HEADER_TAG_LENGTH;
    }

    List<Entry> entries() {
      return entries;
    }

    /**
     * Writes the header of the message {@code messageId} at the start of {@code out}, ending in the
     * last field {@code sealer} gives (the header tag, or the data key's commitment).
     */
    void writeTo(byte[] out, byte[] messageId, HeaderSealer sealer) {
      byte[] kept = tagged;
      if (kept != null) {
        System.arraycopy(kept, 0, out, 0, taggedLength);
      } else {
        render(version, frameExponent, encodedContext, entries, Writer.into(out));
        if (written) {
          tagged = Arrays.copyOf(out, taggedLength);
        }
        written = true;
      }
      System.arraycopy(messageId, 0, out, Format.MESSAGE_ID_OFFSET, MESSAGE_ID_LENGTH);
      sealer.writeLastField(out, contextEnd, taggedLength, out, taggedLength);
    }

    /** {@link #writeTo} as a {@link Header} of its own. */
    Header seal(byte[] messageId, HeaderSealer sealer) {
      byte[] bytes = new byte[headerLength()];
      writeTo(bytes, messageId, sealer);
      return new Header(version, frameExponent, context, entries, bytes, bytes.length, contextEnd);
    }

    /**
     * The frame cipher of the body that follows {@code header}, which {@link #writeTo} wrote;
     * the engine copies {@code payloadKey}.
     */
    FrameCipher newFrameCipher(AeadEngine engine, byte[] payloadKey, byte[] header) {
      return FrameCipher.of(engine, payloadKey, Format.suiteOf(version), header, contextEnd);
    }
  }

  /**
   * Writes header fields from the start of an array long enough for them, or only counts their
   * bytes, so that the one rendering code both measures a header and writes it.
   */
  static final class Writer {
    private final byte[] bytes;
    private int size;

    private Writer(byte[] bytes) {
      this.bytes = bytes;
    }

    /** A writer to {@code target} from its first byte; {@code target} is long enough. */
    static Writer into(byte[] target) {
      return new Writer(target);
    }

    /** A writer that writes nothing and counts the bytes it is given. */
    static Writer counting() {
      return new Writer(null);
    }

    void write(int value) {
      if (bytes != null) {
        bytes[size] = (byte) value;
      }
      size++;
    }

    void writeU16(int value) {
      if (bytes != null) {
        bytes[size] = (byte) (value >>> 8);
        bytes[size + 1] = (byte) value;
      }
      size += 2;
    }

    void write(byte[] source, int offset, int length) {
      if (bytes != null) {
        System.arraycopy(source, offset, bytes, size, length);
      }
      size += length;
    }

    void writeBytes(byte[] source) {
      write(source, 0, source.length);
    }

    /** Writes the characters of {@code ascii} from {@code from} on, one byte each. */
    void writeAscii(String ascii, int from) {
      if (bytes != null) {
        for (int i = from; i < ascii.length(); i++) {
          bytes[size + i - from] = (byte) ascii.charAt(i);
        }
      }
      size += ascii.length() - from;
    }

    /** Leaves {@code length} zero bytes, to be filled in later. */
    void skip(int length) {
      size += length;
    }

    int size() {
      return size;
    }
  }

  /** Parses the header at the start of {@code message}; the body follows at {@link #length()}. */
  static Header parse(byte[] message) {
    return parse(message, null);
  }

  /**
   * {@link #parse(byte[])}, returning a context equal to {@code expected} (null for none) as that
   * very instance: the caller that knows which context to expect skips decoding it.
   */
  static Header parse(byte[] message, EncryptionContext expected) {
    try {
      return read(new ArrayReader(message, 0), expected);
    } catch (IOException e) {
      throw new UncheckedIOException("a byte array cannot fail to read", e);
    }
  }

  /** A reader of {@code bytes} from {@code position}, for fields read once already. */
  static BoundedReader arrayReaderAt(byte[] bytes, int position) {
    return new ArrayReader(bytes, position);
  }

  /**
   * Reads exactly one header from {@code in}, leaving the stream at the first frame.
   *
   * @throws MalformedCiphertextException when the bytes are not a version 1, 2 or 3 header within the
   *     format's limits, or the stream ends inside the header
   */
  static Header read(InputStream in) throws IOException {
    return read(new StreamReader(in), null);
  }

  private static Header read(BoundedReader reader, EncryptionContext expected) throws IOException {
    reader.take(FIXED_PREFIX_LENGTH, () -> "the fixed header fields");
    byte[] prefix = reader.source();
    if (!Arrays.equals(prefix, 0, 3, Format.MAGIC, 0, 3)) {
      throw new MalformedCiphertextException(
          "not an envelope message: it does not start with the magic bytes 50 53 45 (\"PSE\")");
    }
    int version = Byte.toUnsignedInt(prefix[3]);
    if (version < Format.VERSION_1 || version > Format.VERSION_3) {
      throw new MalformedCiphertextException(
          "envelope format version "
              + version
              + " is not supported; this library reads versions 1 to 3");
    }
    int suite = Byte.toUnsignedInt(prefix[4]);
    if (suite != Format.suiteOf(version)) {
      throw new MalformedCiphertextException(
          "envelope suite "
              + suite
              + " is not supported in version "
              + version
              + "; this library reads suite "
              + Format.suiteOf(version)
              + " there");
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
    EncryptionContext context =
        version == Format.VERSION_1
            ? readContextV1(reader, expected)
            : Compact.readContext(reader, expected);
    int contextEnd = reader.position();
    int count = reader.u8(() -> "the wrapped key count");
    if (count < 1 || count > MAX_WRAPPED_KEYS) {
      throw new MalformedCiphertextException(
          "header claims " + count + " wrapped keys; the format allows 1.." + MAX_WRAPPED_KEYS);
    }
    List<Entry> entries = count == 1 ? null : new ArrayList<>(count);
    Entry only = null;
    for (int i = 0; i < count; i++) {
      String keyRef =
          version == Format.VERSION_1 ? readKeyRefV1(reader, i) : Compact.readKeyRef(reader, i);
      if (entries != null && listed(entries, keyRef)) {
        throw new MalformedCiphertextException("header lists KeyRef " + keyRef + " twice");
      }
      Supplier<String> what = () -> "the wrapped length of " + keyRef;
      int wrappedLength = version == Format.VERSION_1 ? reader.u16(what) : reader.varint(what);
      if (wrappedLength < 1 || wrappedLength > MAX_WRAPPED_LENGTH) {
        throw new MalformedCiphertextException(
            "the wrapped key under "
                + keyRef
                + " claims "
                + wrappedLength
                + " bytes; the format allows 1.."
                + MAX_WRAPPED_LENGTH);
      }
      int at = reader.take(wrappedLength, () -> "the wrapped key under " + keyRef);
      Entry entry =
          new Entry(keyRef, Arrays.copyOfRange(reader.source(), at, at + wrappedLength));
      if (entries == null) {
        only = entry;
      } else {
        entries.add(entry);
      }
    }
    reader.take(
        HEADER_TAG_LENGTH,
        () -> version == Format.VERSION_3 ? "the key commitment" : "the header tag");
    return new Header(
        version,
        frameExponent,
        context,
        entries == null ? List.of(only) : List.copyOf(entries),
        reader.source(),
        reader.position(),
        contextEnd);
  }

  /** Whether {@code entries} (at most 16) name {@code keyRef}: a scan, cheaper than a set. */
  private static boolean listed(List<Entry> entries, String keyRef) {
    for (Entry entry : entries) {
      if (entry.keyRef().equals(keyRef)) {
        return true;
      }
    }
    return false;
  }

  private static EncryptionContext readContextV1(BoundedReader reader, EncryptionContext expected)
      throws IOException {
    int contextLength = reader.u16(() -> "the context length");
    if (contextLength < MIN_CONTEXT_LENGTH || contextLength > MAX_CONTEXT_LENGTH) {
      throw new MalformedCiphertextException(
          "header claims an encryption context of "
              + contextLength
              + " bytes; the format allows "
              + MIN_CONTEXT_LENGTH
              + ".."
              + MAX_CONTEXT_LENGTH);
    }
    int at = reader.take(contextLength, () -> "the encryption context");
    byte[] source = reader.source();
    byte[] wanted = expected == null ? null : Compact.encodingOf(expected);
    if (wanted != null && Arrays.equals(source, at, at + contextLength, wanted, 0, wanted.length)) {
      return expected;
    }
    return EncryptionContext.decode(Arrays.copyOfRange(source, at, at + contextLength));
  }

  private static String readKeyRefV1(BoundedReader reader, int index) throws IOException {
    int keyRefLength = reader.u16(() -> "the KeyRef length of wrapped key " + index);
    if (keyRefLength < 1 || keyRefLength > MAX_KEY_REF_LENGTH) {
      throw new MalformedCiphertextException(
          "wrapped key "
              + index
              + " claims a KeyRef of "
              + keyRefLength
              + " bytes; the format allows 1.."
              + MAX_KEY_REF_LENGTH);
    }
    int at = reader.take(keyRefLength, () -> "the KeyRef of wrapped key " + index);
    return Compact.printableAscii(reader.source(), at, keyRefLength, index);
  }

  /**
   * Reads exact lengths, refusing any read that would take the header past its limit. The bytes
   * read so far are {@code source()[0..position())}, read in place, never copied out field by field.
   * What is being read is described lazily: the description only serves an error message.
   */
  abstract static sealed class BoundedReader permits ArrayReader, StreamReader {
    /**
     * Moves past the next {@code length} bytes and returns where they start in {@link #source()}.
     */
    abstract int take(int length, Supplier<String> what) throws IOException;

    /**
     * The array the bytes read so far start at; ask again after each {@link #take} (a stream
     * reader's buffer grows).
     */
    abstract byte[] source();

    abstract int u8(Supplier<String> what) throws IOException;

    /** How many bytes have been read. */
    abstract int position();

    /**
     * An unsigned LEB128 varint of at most {@value Compact#MAX_VARINT_BYTES} bytes in its one
     * minimal encoding.
     */
    final int varint(Supplier<String> what) throws IOException {
      int value = 0;
      for (int i = 0; i < Compact.MAX_VARINT_BYTES; i++) {
        int b = u8(what);
        if (i > 0 && b == 0) {
          throw new MalformedCiphertextException(
              what.get() + " is a varint with a redundant zero byte");
        }
        value |= (b & 0x7f) << (7 * i);
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new MalformedCiphertextException(
          what.get() + " is a varint longer than " + Compact.MAX_VARINT_BYTES + " bytes");
    }

    final int u16(Supplier<String> what) throws IOException {
      int at = take(2, what);
      byte[] source = source();
      return (Byte.toUnsignedInt(source[at]) << 8) | Byte.toUnsignedInt(source[at + 1]);
    }

    /** Refuses a read of {@code length} bytes at {@code position} past the header limit. */
    static void checkLimit(long position, int length, Supplier<String> what) {
      if (position + length > MAX_HEADER_LENGTH) {
        throw new MalformedCiphertextException(
            "header is longer than the format's limit of "
                + MAX_HEADER_LENGTH
                + " bytes (at "
                + what.get()
                + ")");
      }
    }

    static MalformedCiphertextException endsInside(Supplier<String> what, int length, int left) {
      return new MalformedCiphertextException(
          "message ends inside its header: "
              + what.get()
              + " needs "
              + length
              + " bytes, "
              + left
              + " are left");
    }
  }

  /** Reads a header at the start of a whole message in memory, where it lies. */
  private static final class ArrayReader extends BoundedReader {
    private final byte[] message;
    private int position;

    ArrayReader(byte[] message, int position) {
      this.message = message;
      this.position = position;
    }

    @Override
    int take(int length, Supplier<String> what) {
      checkLimit(position, length, what);
      if (message.length - position < length) {
        throw endsInside(what, length, message.length - position);
      }
      int from = position;
      position += length;
      return from;
    }

    @Override
    byte[] source() {
      return message;
    }

    @Override
    int u8(Supplier<String> what) {
      return Byte.toUnsignedInt(message[take(1, what)]);
    }

    @Override
    int position() {
      return position;
    }
  }

  /** Reads a header from a stream into a buffer of its own, which becomes the header's bytes. */
  private static final class StreamReader extends BoundedReader {
    private final InputStream in;
    private byte[] buffer = new byte[256];
    private int position;

    StreamReader(InputStream in) {
      this.in = in;
    }

    @Override
    int take(int length, Supplier<String> what) throws IOException {
      checkLimit(position, length, what);
      if (buffer.length - position < length) {
        buffer = Arrays.copyOf(buffer, Math.max(2 * buffer.length, position + length));
      }
      int read = in.readNBytes(buffer, position, length);
      if (read < length) {
        throw endsInside(what, length, read);
      }
      int from = position;
      position += length;
      return from;
    }

    @Override
    byte[] source() {
      return buffer;
    }

    @Override
    int u8(Supplier<String> what) throws IOException {
      int at = take(1, what); // first: taking may replace the buffer with a larger one
      return Byte.toUnsignedInt(buffer[at]);
    }

    @Override
    int position() {
      return position;
    }
  }
}
