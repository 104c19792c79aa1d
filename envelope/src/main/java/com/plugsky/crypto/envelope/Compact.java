package com.plugsky.crypto.envelope;

import static com.plugsky.crypto.envelope.Format.MAX_CONTEXT_LENGTH;
import static com.plugsky.crypto.envelope.Format.MAX_KEY_REF_LENGTH;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.context.LastEncodedContext;
import com.plugsky.crypto.keyref.KeyRefScheme;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The compact fields of version 2 headers (docs/FORMAT.md): varint lengths, the context with
 * varint lengths, and KeyRefs whose scheme is a code. Each value has exactly one encoding, so the
 * header's authentication covers one reading of the bytes.
 */
final class Compact {
  /** Enough for every length the format allows (at most 2^21 - 1). */
  static final int MAX_VARINT_BYTES = 3;

  /** Code 0: the KeyRef is written whole. Codes 1..6: {@link KeyRefScheme} in declared order. */
  private static final int VERBATIM = 0;

  private static final int CODE_BITS = 3;
  private static final KeyRefScheme[] CODED = KeyRefScheme.values();

  private Compact() {}

  static void writeVarint(int value, Header.Writer out) {
    while (value >= 0x80) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  /** Rewrites the canonical context encoding (u16 lengths) with varint lengths. */
  static void writeContext(byte[] canonical, Header.Writer out) {
    int at = 0;
    int count = u16(canonical, at);
    at += 2;
    writeVarint(count, out);
    for (int i = 0; i < 2 * count; i++) {
      int length = u16(canonical, at);
      at += 2;
      writeVarint(length, out);
      out.write(canonical, at, length);
      at += length;
    }
  }

  /**
   * Reads a compact context and checks it as {@link EncryptionContext#decode} checks the canonical
   * one, refusing before allocation any length that would take the canonical encoding past its
   * limit. A context equal to {@code expected} (null for none) is returned as that very instance,
   * found by comparing the fields where they lie in the header with {@code expected}'s canonical
   * encoding; any other is rebuilt in canonical form and decoded.
   */
  static EncryptionContext readContext(Header.BoundedReader reader, EncryptionContext expected)
      throws IOException {
    int start = reader.position();
    int count = reader.varint(() -> "the context pair count");
    if (count > EncryptionContext.MAX_PAIRS) {
      throw new MalformedCiphertextException(
          "header claims "
              + count
              + " context pairs; the format allows 0.."
              + EncryptionContext.MAX_PAIRS);
    }
    byte[] wanted = expected == null ? null : encodingOf(expected);
    boolean matches = wanted != null && u16(wanted, 0) == count;
    int wantedAt = 2;
    int canonicalLength = 2;
    for (int i = 0; i < 2 * count; i++) {
      int field = i;
      Supplier<String> what =
          () -> "the context " + (field % 2 == 0 ? "key" : "value") + " of pair " + field / 2;
      int length = reader.varint(() -> what.get() + " length");
      int max = i % 2 == 0 ? EncryptionContext.MAX_KEY_BYTES : EncryptionContext.MAX_VALUE_BYTES;
      if (length > max || canonicalLength + 2L + length > MAX_CONTEXT_LENGTH) {
        throw new MalformedCiphertextException(
            "header claims "
                + length
                + " bytes for "
                + what.get()
                + "; the format allows at most "
                + max
                + " and "
                + MAX_CONTEXT_LENGTH
                + " for the whole context");
      }
      int at = reader.take(length, what);
      if (matches) {
        int valueAt = wantedAt + 2;
        matches =
            valueAt + length <= wanted.length
                && u16(wanted, wantedAt) == length
                && Arrays.equals(
                    reader.source(), at, at + length, wanted, valueAt, valueAt + length);
        wantedAt = valueAt + length;
      }
      canonicalLength += 2 + length;
    }
    if (matches && wantedAt == wanted.length) {
      return expected;
    }
    return EncryptionContext.decode(canonical(reader.source(), start, canonicalLength));
  }

  /**
   * The canonical encoding (u16 lengths) of the compact context at {@code compact[start]}, which
   * {@link #readContext} has checked ({@code canonicalLength} bytes once canonical), read again by
   * the same varint reader.
   */
  private static byte[] canonical(byte[] compact, int start, int canonicalLength)
      throws IOException {
    Header.BoundedReader again = Header.arrayReaderAt(compact, start);
    Supplier<String> checked = () -> "a context already read";
    byte[] canonical = new byte[canonicalLength];
    int pairs = again.varint(checked);
    canonical[0] = (byte) (pairs >>> 8);
    canonical[1] = (byte) pairs;
    int to = 2;
    for (int i = 0; i < 2 * pairs; i++) {
      int length = again.varint(checked);
      canonical[to] = (byte) (length >>> 8);
      canonical[to + 1] = (byte) length;
      System.arraycopy(compact, again.take(length, checked), canonical, to + 2, length);
      to += 2 + length;
    }
    return canonical;
  }

  /**
   * {@code context}'s canonical encoding, to be read and never written or handed out (see {@link
   * LastEncodedContext}): a thread often writes and reads headers under the same context object
   * message after message.
   */
  static byte[] encodingOf(EncryptionContext context) {
    return LAST_CONTEXT.encodingOf(context);
  }

  private static final LastEncodedContext LAST_CONTEXT = new LastEncodedContext();

  /** {@code varint(8 * length of the rest + scheme code)} then the rest, ASCII. */
  static void writeKeyRef(String keyRef, Header.Writer out) {
    LastWrittenKeyRef last = lastWrittenKeyRef;
    if (last == null || last.keyRef != keyRef) {
      last = LastWrittenKeyRef.of(keyRef);
      lastWrittenKeyRef = last;
    }
    writeVarint(last.field, out);
    out.writeBytes(last.rest);
  }

  /**
   * Whether {@code keyRef} is the very string {@link #writeKeyRef} wrote last: a KeyRef a header
   * already holds, which {@link Header.Layout} checked before it was first written.
   */
  static boolean isLastWritten(String keyRef) {
    LastWrittenKeyRef last = lastWrittenKeyRef;
    return last != null && last.keyRef == keyRef;
  }

  /**
   * The last KeyRef {@link #writeKeyRef} wrote and how: an envelope writes the same KEK names (the
   * same strings) into every message, twice (measured, then written), so the scheme look-up and
   * the ASCII bytes after the scheme's prefix are made once per name rather than per write. Any
   * thread may replace it; each value is whole.
   */
  private static volatile LastWrittenKeyRef lastWrittenKeyRef;

  private record LastWrittenKeyRef(String keyRef, int field, byte[] rest) {
    static LastWrittenKeyRef of(String keyRef) {
      int code = VERBATIM;
      int restFrom = 0;
      for (int i = 0; i < CODED.length; i++) {
        String prefix = CODED[i].prefix();
        if (keyRef.startsWith(prefix) && keyRef.length() > prefix.length()) {
          code = i + 1;
          restFrom = prefix.length();
          break;
        }
      }
      int field = (keyRef.length() - restFrom) << CODE_BITS | code;
      return new LastWrittenKeyRef(
          keyRef, field, keyRef.substring(restFrom).getBytes(StandardCharsets.US_ASCII));
    }
  }

  static String readKeyRef(Header.BoundedReader reader, int index) throws IOException {
    int field = reader.varint(() -> "the KeyRef field of wrapped key " + index);
    int code = field & ((1 << CODE_BITS) - 1);
    int restLength = field >>> CODE_BITS;
    if (code > CODED.length) {
      throw new MalformedCiphertextException(
          "wrapped key " + index + " names KeyRef scheme code " + code + ", which is unassigned");
    }
    String prefix = code == VERBATIM ? "" : CODED[code - 1].prefix();
    if (restLength < 1 || prefix.length() + restLength > MAX_KEY_REF_LENGTH) {
      throw new MalformedCiphertextException(
          "wrapped key "
              + index
              + " claims a KeyRef of "
              + (prefix.length() + restLength)
              + " bytes; the format allows 1.."
              + MAX_KEY_REF_LENGTH);
    }
    int at = reader.take(restLength, () -> "the KeyRef of wrapped key " + index);
    byte[] source = reader.source();
    LastKeyRef seen = lastKeyRef;
    if (seen != null
        && seen.field == field
        && Arrays.equals(source, at, at + restLength, seen.rest, 0, seen.rest.length)) {
      return seen.keyRef;
    }
    String rest = printableAscii(source, at, restLength, index);
    if (code == VERBATIM) {
      for (KeyRefScheme scheme : CODED) {
        if (rest.startsWith(scheme.prefix()) && rest.length() > scheme.prefix().length()) {
          throw new MalformedCiphertextException(
              "wrapped key "
                  + index
                  + " writes a "
                  + scheme.prefix()
                  + " KeyRef whole; version 2 writes that scheme as a code");
        }
      }
    }
    String keyRef = prefix + rest;
    lastKeyRef = new LastKeyRef(field, Arrays.copyOfRange(source, at, at + restLength), keyRef);
    return keyRef;
  }

  /**
   * The last KeyRef {@link #readKeyRef} decoded and accepted, from these bytes: the next header
   * usually names the same KEK, and the same bytes read the same way, so they need no second
   * decoding. Any thread may replace it; each value is whole.
   */
  private static volatile LastKeyRef lastKeyRef;

  private record LastKeyRef(int field, byte[] rest, String keyRef) {}

  /** Whether a KeyRef in a header may hold character {@code c}: printable ASCII, no space. */
  static boolean isKeyRefCharacter(int c) {
    return c >= 0x21 && c <= 0x7e;
  }

  /** The {@code length} bytes at {@code bytes[offset]} as a KeyRef: printable ASCII only. */
  static String printableAscii(byte[] bytes, int offset, int length, int index) {
    for (int i = offset; i < offset + length; i++) {
      if (!isKeyRefCharacter(bytes[i])) {
        throw new MalformedCiphertextException(
            "the KeyRef of wrapped key " + index + " holds a byte outside printable ASCII");
      }
    }
    return new String(bytes, offset, length, StandardCharsets.US_ASCII);
  }

  private static int u16(byte[] bytes, int at) {
    return (bytes[at] & 0xff) << 8 | (bytes[at + 1] & 0xff);
  }
}
