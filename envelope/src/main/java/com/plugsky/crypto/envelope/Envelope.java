package com.plugsky.crypto.envelope;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.CryptoRandom;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SequencedSet;
import java.util.function.Supplier;

/**
 * Envelope encryption in the message format of docs/FORMAT.md: a fresh 256-bit data key per message
 * (or one from a {@link DataKeyCache}), wrapped under every configured key-encryption key (one per
 * region or HSM), a header that commits to the data key, and a body of AES-256-GCM frames.
 *
 * <pre>{@code
 * Envelope envelope = Envelope.builder().kek(KeyRef.parse("local:orders")).build();
 * EncryptionContext context = EncryptionContext.of("tenant", "acme");
 * byte[] message = envelope.encrypt(plaintext, context);
 * byte[] back = envelope.decrypt(message, context);
 * }</pre>
 *
 * <p>Decryption needs the context the message was encrypted with, and tries only the wrapped keys
 * whose KEK this Envelope is configured with ({@link Builder#kek}, {@link Builder#decryptOnlyKek}):
 * those in the {@link Builder#preferredRegion} first, then in the order configured. It releases no
 * plaintext that has not been authenticated. Failures are typed: {@link
 * AuthenticationFailedException} for a wrong context, a KEK that does not open the message, or any
 * modification; {@link MalformedCiphertextException} for bytes that are not a message within the
 * format's limits; {@link com.plugsky.crypto.KeyUnavailableException} when a key backend cannot be
 * reached. Every data key and derived key is zeroed after use.
 *
 * <p>Every wrap and unwrap is reported to the {@link Builder#auditSink} with the KeyRef, the
 * caller's principal and request id, and the SHA-256 of the message header. Thread-safe.
 */
public final class Envelope {
  private final List<KeyRef> encryptionKeks;
  private final List<KeyRef> decryptionOrder;
  private final List<String> encryptionKekNames;
  private final int frameExponent;
  private final DataKeyCache cache;
  private final AeadEngine engine;
  private final FrameEngines frameEngines;
  private final SymmetricPrimitives primitives;
  private final KeyOperations keys;

  /**
   * Per thread: the message id and payload key of the message {@link #encrypt(byte[],
   * EncryptionContext)} is sealing, so that a cached-key message allocates little beyond its
   * output. Both are used only inside that call, which calls out to no caller code meanwhile (no
   * re-entry), and the key is zeroed as soon as the message is sealed.
   */
  private static final ThreadLocal<MessageScratch> MESSAGE_SCRATCH =
      ThreadLocal.withInitial(MessageScratch::new);

  private static final class MessageScratch {
    final byte[] messageId = new byte[Format.MESSAGE_ID_LENGTH];
    final byte[] payloadKey = new byte[KeyedHmac.LENGTH];
  }

  private Envelope(Builder builder) {
    this.encryptionKeks = List.copyOf(builder.encryptionKeks);
    this.encryptionKekNames = encryptionKeks.stream().map(KeyRef::toString).toList();
    List<KeyRef> all = new ArrayList<>(builder.encryptionKeks);
    all.addAll(builder.decryptOnlyKeks);
    Optional<String> region = Optional.ofNullable(builder.preferredRegion);
    this.decryptionOrder =
        all.stream()
            .sorted(
                Comparator.comparingInt(
                    k -> region.isPresent() && k.region().equals(region) ? 0 : 1))
            .toList();
    this.frameExponent = Integer.numberOfTrailingZeros(builder.frameSize);
    this.cache = builder.cache;
    this.engine = builder.engine != null ? builder.engine : Engines.defaultEngine();
    this.frameEngines = FrameEngines.of(engine, builder.engine != null);
    this.primitives = engine.primitives();
    this.keys =
        new KeyOperations(
            builder.wrappers, builder.auditSink, builder.principal, builder.requestId);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Encrypts {@code plaintext} into one message bound to {@code context}.
   *
   * @throws InvalidInputException when the message would not fit in a Java array
   */
  public byte[] encrypt(byte[] plaintext, EncryptionContext context) {
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(context, "context");
    List<KeyOperations.Pending> pending = keys.newPending();
    try {
      return encryptHoldingWraps(plaintext, context, pending);
    } catch (RuntimeException e) {
      keys.recordWrapsOfUnfinishedMessage(pending);
      throw e;
    }
  }

  /** {@link #encrypt}, with the wrap events it causes held in {@code pending} until it is done. */
  private byte[] encryptHoldingWraps(
      byte[] plaintext, EncryptionContext context, List<KeyOperations.Pending> pending) {
    DataKeyCache.Materials materials = materials(context, plaintext.length, pending);
    MessageScratch scratch = MESSAGE_SCRATCH.get();
    byte[] messageId = scratch.messageId;
    // The message id is published in the header, so the pooled DRBG output meant for public
    // values (nonces) serves: it is as random and never handed out twice.
    CryptoRandom.nextNonce(messageId);
    Header.Layout layout = materials.layout();
    byte[] message;
    try (DataKeySecrets secrets = materials.secrets()) {
      byte[] payloadKey = scratch.payloadKey;
      try {
        secrets.payloadKey(messageId, 0, payloadKey);
        message =
            seal(
                layout,
                messageId,
                secrets,
                frameEngines.forMessage(plaintext.length),
                payloadKey,
                plaintext);
      } finally {
        Bytes.zero(payloadKey);
      }
    }
    keys.recordWraps(pending, message, layout.headerLength());
    return message;
  }

  /**
   * The message for fixed inputs: the whole of encryption once the data key is wrapped and the
   * message id drawn. Deterministic, so that the golden vectors can check it byte for byte.
   */
  static byte[] seal(
      int version,
      AeadEngine engine,
      int frameExponent,
      byte[] dataKey,
      byte[] messageId,
      EncryptionContext context,
      List<Header.Entry> entries,
      byte[] plaintext) {
    Header.Layout layout = Header.Layout.of(version, frameExponent, context, entries);
    try (MessageKeys messageKeys =
        MessageKeys.derive(Format.suiteOf(version), dataKey, messageId, engine.primitives())) {
      return seal(layout, messageId, messageKeys, engine, messageKeys.payloadKey(), plaintext);
    }
  }

  /**
   * The message in one array: the header, sealed in place, then the frames, sealed in place under
   * {@code payloadKey} on {@code engine} (the engine copies the key: the caller zeroes its own).
   */
  private static byte[] seal(
      Header.Layout layout,
      byte[] messageId,
      HeaderSealer headerSealer,
      AeadEngine engine,
      byte[] payloadKey,
      byte[] plaintext) {
    int frameSize = layout.frameSize();
    long frames = Math.max(1, Math.ceilDiv((long) plaintext.length, frameSize));
    long total = layout.headerLength() + plaintext.length + frames * Format.FRAME_OVERHEAD;
    if (total > Integer.MAX_VALUE - 8) {
      throw new InvalidInputException(
          "a message of "
              + plaintext.length
              + " bytes does not fit in one array; use encryptingStream");
    }
    byte[] out = new byte[(int) total];
    layout.writeTo(out, messageId, headerSealer);
    int at = layout.headerLength();
    try (FrameCipher cipher = layout.newFrameCipher(engine, payloadKey, out)) {
      for (long i = 0; i < frames; i++) {
        int from = (int) (i * frameSize);
        int length = Math.min(frameSize, plaintext.length - from);
        at += cipher.seal(i, i == frames - 1, plaintext, from, length, out, at);
      }
    }
    return out;
  }

  /**
   * Decrypts a message encrypted under {@code context}.
   *
   * @throws AuthenticationFailedException for another context, no configured KEK that opens it, or
   *     any modification
   * @throws MalformedCiphertextException for bytes that are not one well-formed message
   */
  public byte[] decrypt(byte[] message, EncryptionContext context) {
    return decryptMessage(message, context).plaintext();
  }

  /** {@link #decrypt}, also reporting which KEK opened the message, and its header. */
  public DecryptionResult decryptWithDetails(byte[] message, EncryptionContext context) {
    Decrypted decrypted = decryptMessage(message, context);
    return new DecryptionResult(
        decrypted.plaintext(), decrypted.openedBy(), decrypted.header().describe());
  }

  /** A decrypted message, the KEK that opened it and its authenticated header. */
  private record Decrypted(byte[] plaintext, KeyRef openedBy, Header header) {}

  private Decrypted decryptMessage(byte[] message, EncryptionContext context) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(context, "context");
    Header header = Header.parse(message, context);
    long plaintextLength = checkFrames(message, header);
    try (OpenedMessage opened = open(header, context, false, MESSAGE_SCRATCH.get().payloadKey);
        FrameCipher cipher =
            header.newFrameCipher(
                frameEngines.forMessage(plaintextLength), opened.keys().payloadKey())) {
      byte[] plaintext = new byte[(int) plaintextLength];
      int out = 0;
      try {
        int at = header.length();
        for (long i = 0; ; i++) {
          int word = FrameCipher.readWord(message, at);
          int sealedLength = (word & ~Format.FINAL_FLAG) + Format.GCM_TAG_LENGTH;
          boolean last = FrameCipher.isFinal(word);
          out +=
              cipher.open(
                  i, last, message, at + Format.FRAME_WORD_LENGTH, sealedLength, plaintext, out);
          if (last) {
            break;
          }
          at += Format.FRAME_WORD_LENGTH + sealedLength;
        }
      } catch (RuntimeException e) {
        Bytes.zero(plaintext);
        throw e;
      }
      return new Decrypted(plaintext, opened.openedBy(), header);
    }
  }

  /**
   * Checks the body's structure without any key, before a KMS is called, and returns the length of
   * its plaintext: frame words, lengths, the final frame, nothing after it.
   */
  private static long checkFrames(byte[] message, Header header) {
    long plaintextLength = 0;
    int at = header.length();
    int frameSize = header.frameSize();
    for (long index = 0; ; index++) {
      if (message.length - at < Format.FRAME_WORD_LENGTH) {
        throw new MalformedCiphertextException(
            at == message.length
                ? "message ends before its final frame (at frame " + index + ")"
                : "message ends inside the word of frame " + index);
      }
      int word = FrameCipher.readWord(message, at);
      int length = FrameCipher.frameLength(word, index, frameSize);
      int start = at + Format.FRAME_WORD_LENGTH;
      if (message.length - start < length + Format.GCM_TAG_LENGTH) {
        throw new MalformedCiphertextException("message ends inside frame " + index);
      }
      plaintextLength += length;
      at = start + length + Format.GCM_TAG_LENGTH;
      if (FrameCipher.isFinal(word)) {
        break;
      }
    }
    if (at != message.length) {
      throw new MalformedCiphertextException(
          "message has " + (message.length - at) + " bytes after its final frame");
    }
    return plaintextLength;
  }

  /**
   * A stream that encrypts what is written to it into {@code out}: the header is written now, each
   * frame when it is full, the final frame on {@link OutputStream#close()}, which also closes
   * {@code out}. Memory stays at about two frames whatever the length. Always uses a fresh data key
   * (see {@link DataKeyCache}).
   */
  public OutputStream encryptingStream(OutputStream out, EncryptionContext context)
      throws IOException {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(context, "context");
    List<KeyOperations.Pending> pending = keys.newPending();
    byte[] messageId = new byte[Format.MESSAGE_ID_LENGTH];
    CryptoRandom.nextNonce(messageId);
    Header header;
    FrameCipher cipher;
    try {
      DataKeyCache.Materials materials = freshMaterials(context, pending);
      try (DataKeySecrets secrets = materials.secrets();
          MessageKeys messageKeys = MessageKeys.forMessage(secrets, messageId)) {
        header = materials.layout().seal(messageId, secrets);
        cipher = header.newFrameCipher(streamEngine(header.frameSize()), messageKeys.payloadKey());
      }
    } catch (RuntimeException e) {
      keys.recordWrapsOfUnfinishedMessage(pending);
      throw e;
    }
    try {
      out.write(header.bytes());
    } catch (IOException | RuntimeException e) {
      cipher.close();
      keys.recordWrapsOfUnfinishedMessage(pending);
      throw e;
    }
    keys.recordWraps(pending, header);
    return new EncryptingOutputStream(out, cipher, header.frameSize());
  }

  /**
   * A stream of the plaintext of the message read from {@code in}. The header is read and
   * authenticated now, and with it the first frame, whose tag covers the header fields that the key
   * commitment does not (the message id and the frame size, in format version 3): a wrong context
   * or KEK and a changed header fail here, and {@link DecryptingInputStream#header()} describes an
   * authentic header. The other frames are decrypted as they are read. Closing it closes {@code
   * in}.
   */
  public DecryptingInputStream decryptingStream(InputStream in, EncryptionContext context)
      throws IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(context, "context");
    Header header = Header.read(in);
    try (OpenedMessage opened = open(header, context, false, MESSAGE_SCRATCH.get().payloadKey)) {
      FrameCipher cipher =
          header.newFrameCipher(streamEngine(header.frameSize()), opened.keys().payloadKey());
      DecryptingInputStream stream =
          new DecryptingInputStream(in, cipher, header, opened.openedBy());
      stream.openFirstFrame();
      return stream;
    }
  }

  /** The engine of a stream's frames ({@link FrameEngines#forStream}). */
  AeadEngine streamEngine(int frameSize) {
    return frameEngines.forStream(frameSize);
  }

  /**
   * {@link #encryptingStream} over a blocking channel: closing the returned channel writes the
   * final frame and closes {@code out}.
   */
  public WritableByteChannel encryptingChannel(WritableByteChannel out, EncryptionContext context)
      throws IOException {
    Objects.requireNonNull(out, "out");
    return StreamChannels.writing(encryptingStream(Channels.newOutputStream(out), context));
  }

  /**
   * {@link #decryptingStream} over a blocking channel, with the same guarantees: the header (with
   * the first frame) is authenticated now, each frame before any of its bytes is read; closing
   * closes {@code in}.
   */
  public ReadableByteChannel decryptingChannel(ReadableByteChannel in, EncryptionContext context)
      throws IOException {
    Objects.requireNonNull(in, "in");
    return StreamChannels.reading(decryptingStream(Channels.newInputStream(in), context));
  }

  /**
   * The message with its data key wrapped under exactly {@code keyRefs}, in that order, and the
   * body unchanged: a wrapping whose KeyRef is kept is copied as it was, the others are made now.
   * This replaces (rotation, BYOK migration), adds (a new region) or removes wrapped keys without
   * re-encrypting anything. The message is opened with this Envelope's KEKs: its context, wrapped
   * keys and key commitment must check out. The body is copied without being decrypted, so the
   * header fields that only the frames' tags cover (message id, frame size) are not checked here: a
   * message changed there fails when it is decrypted, rewrapped or not.
   *
   * @throws InvalidInputException when {@code keyRefs} is empty, longer than 16 or repeats a KeyRef
   */
  public byte[] rewrap(byte[] message, EncryptionContext context, List<KeyRef> keyRefs) {
    Objects.requireNonNull(message, "message");
    Header header = Header.parse(message);
    Header rewrapped = rewrapHeader(header, context, keyRefs);
    byte[] out = new byte[rewrapped.length() + message.length - header.length()];
    rewrapped.writeTo(out, 0);
    System.arraycopy(
        message, header.length(), out, rewrapped.length(), message.length - header.length());
    return out;
  }

  /** {@link #rewrap(byte[], EncryptionContext, List)} from a stream to a stream; closes neither. */
  public void rewrap(
      InputStream in, OutputStream out, EncryptionContext context, List<KeyRef> keyRefs)
      throws IOException {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(out, "out");
    Header rewrapped = rewrapHeader(Header.read(in), context, keyRefs);
    out.write(rewrapped.bytes());
    in.transferTo(out);
  }

  private Header rewrapHeader(Header header, EncryptionContext context, List<KeyRef> keyRefs) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(keyRefs, "keyRefs");
    if (keyRefs.isEmpty()) {
      throw new InvalidInputException(
          "rewrap needs at least one KeyRef to wrap the data key under");
    }
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    try (OpenedMessage opened = open(header, context, true, new byte[KeyedHmac.LENGTH])) {
      List<KeyOperations.Pending> pending = keys.newPending();
      Header rewrapped;
      try {
        rewrapped =
            header.withEntries(
                newEntries(header, opened, context, keyRefs, pending), opened.keys());
      } catch (RuntimeException e) {
        keys.recordWrapsOfUnfinishedMessage(pending);
        throw e;
      }
      keys.recordWraps(pending, rewrapped);
      keys.recordRewrap(opened.openedBy(), rewrapped, started, t0);
      return rewrapped;
    }
  }

  /**
   * The wrappings of a rewrapped header: kept ones as they were, the others moved by the backend
   * that opened the message (same scheme) or wrapped here from the data key.
   */
  private List<Header.Entry> newEntries(
      Header header,
      OpenedMessage opened,
      EncryptionContext context,
      List<KeyRef> keyRefs,
      List<KeyOperations.Pending> pending) {
    List<Header.Entry> entries = new ArrayList<>();
    Header.Entry openedEntry = entryFor(header, opened.openedBy());
    for (KeyRef keyRef : keyRefs) {
      Header.Entry kept = entryFor(header, keyRef);
      if (kept != null) {
        entries.add(kept);
      } else if (keyRef.scheme() == opened.openedBy().scheme()) {
        // Same backend: let it move the wrapping itself (a KMS re-encrypts server-side).
        entries.add(keys.rewrap(opened.openedBy(), openedEntry, keyRef, context, pending));
      } else {
        entries.add(keys.wrap(keyRef, opened.dataKey(), context, pending));
      }
    }
    return entries;
  }

  /** The entry of {@code header} wrapped under {@code keyRef}, or null. */
  private static Header.Entry entryFor(Header header, KeyRef keyRef) {
    for (Header.Entry entry : header.entries()) {
      if (keyRef.namesSameKey(entry.keyRef())) {
        return entry;
      }
    }
    return null;
  }

  /** Reads the header of {@code message} without any key. */
  public static EnvelopeHeader inspect(byte[] message) {
    Objects.requireNonNull(message, "message");
    return Header.parse(message).describe();
  }

  /** Reads the header at the start of {@code in} without any key, leaving the body unread. */
  public static EnvelopeHeader inspect(InputStream in) throws IOException {
    Objects.requireNonNull(in, "in");
    return Header.read(in).describe();
  }

  /**
   * The derived secrets of a data key and the header layout of its wrappings, for a message of
   * {@code bytes} bytes: cached, else fresh. The caller closes the secrets.
   */
  private DataKeyCache.Materials materials(
      EncryptionContext context, long bytes, List<KeyOperations.Pending> pending) {
    if (cache == null) {
      return freshMaterials(context, pending);
    }
    DataKeyCache.Key cacheKey =
        new DataKeyCache.Key(this, encryptionKekNames, context, frameExponent);
    DataKeyCache.Materials cached = cache.acquire(cacheKey, bytes);
    if (cached != null) {
      return cached;
    }
    DataKeyCache.Materials fresh = freshMaterials(context, pending);
    cache.offer(cacheKey, fresh.secrets().retain(), fresh.layout(), bytes);
    return fresh;
  }

  /**
   * A fresh data key, generated under the first KEK (one call where the backend can create and wrap
   * together) and wrapped under the others; only its derived secrets outlive this call.
   */
  private DataKeyCache.Materials freshMaterials(
      EncryptionContext context, List<KeyOperations.Pending> pending) {
    Header.Entry[] entries = new Header.Entry[encryptionKeks.size()];
    KeyRef first = encryptionKeks.getFirst();
    try (DataKey dataKey = keys.generate(first, context, pending)) {
      entries[0] = new Header.Entry(encryptionKekNames.getFirst(), dataKey.wrappedKey().bytes());
      byte[] plaintextKey = dataKey.plaintextKey();
      try {
        for (int i = 1; i < entries.length; i++) {
          entries[i] = keys.wrap(encryptionKeks.get(i), plaintextKey, context, pending);
        }
        DataKeySecrets secrets =
            DataKeySecrets.derive(
                Format.suiteOf(Format.CURRENT_VERSION), plaintextKey, primitives, macForm());
        try {
          return new DataKeyCache.Materials(
              secrets,
              Header.Layout.of(Format.CURRENT_VERSION, frameExponent, context, List.of(entries)));
        } catch (RuntimeException e) {
          secrets.close();
          throw e;
        }
      } finally {
        Bytes.zero(plaintextKey);
      }
    }
  }

  /**
   * How derived secrets hold their HMAC keys ({@link KeyedHmac.Form}): through a FIPS-approved
   * engine's own HMAC; else as pre-hashed states, resumed natively when libcrypto is there, or
   * cloned when a cache lets a data key serve many messages (each then costs two SHA-256
   * compressions fewer), or as pads when each serves one.
   */
  private KeyedHmac.Form macForm() {
    if (engine.isFipsApproved()) {
      return KeyedHmac.Form.THROUGH_ENGINE;
    }
    return KeyedHmac.Form.unapproved(cache != null);
  }

  /** The keys of an authenticated header, and which KEK gave them. Closing zeroes every key. */
  private record OpenedMessage(KeyRef openedBy, MessageKeys keys, byte[] dataKey)
      implements AutoCloseable {
    @Override
    public void close() {
      keys.close();
      Bytes.zero(dataKey);
    }
  }

  /**
   * Unwraps the data key through the first configured KEK that opens it, derives the message keys
   * and checks the header's last field (the key commitment, or the header tag of versions 1 and 2).
   * Keeps the data key only when {@code keepDataKey} (rewrap). The payload key goes into {@code
   * payloadKey}, which closing zeroes: the thread's scratch for a caller that hands the key to its
   * frame cipher at once and calls out to nothing meanwhile.
   */
  private OpenedMessage open(
      Header header, EncryptionContext context, boolean keepDataKey, byte[] payloadKey) {
    if (!header.context().equals(context)) {
      throw new AuthenticationFailedException(
          "the encryption context given does not match the message's; decryption needs the context"
              + " the message was encrypted with");
    }
    List<RuntimeException> failures = null;
    String headerHash = keys.headerHashForAudit(header);
    for (KeyRef kek : decryptionOrder) {
      Header.Entry entry = entryFor(header, kek);
      if (entry == null) {
        continue;
      }
      DataKeyCache.Wrapping wrapping =
          cache == null
              ? null
              : new DataKeyCache.Wrapping(this, kek.toString(), entry.wrappedUnshared(), context);
      DataKeyCache.UnwrappedKey cached =
          cache == null ? null : cache.unwrapped(wrapping, header.suite(), keepDataKey);
      boolean fromCache = cached != null;
      DataKeyCache.UnwrappedKey unwrapped = cached;
      if (!fromCache) {
        byte[] dataKey;
        try {
          dataKey = keys.unwrap(kek, entry, context, headerHash);
        } catch (RuntimeException e) {
          if (failures == null) {
            failures = new ArrayList<>();
          }
          failures.add(e);
          continue;
        }
        unwrapped = withSecrets(dataKey, header.suite());
      }
      try (DataKeyCache.UnwrappedKey key = unwrapped) {
        MessageKeys messageKeys = messageKeys(header, key, payloadKey);
        if (!header.lastFieldMatches(messageKeys)) {
          messageKeys.close();
          throw new AuthenticationFailedException(
              header.suite() == Format.SUITE_3
                  ? "the message's key commitment does not match the data key from "
                      + kek
                      + ": its wrapped keys or commitment were modified, or that wrapped key was"
                      + " made for another message"
                  : "the message header does not authenticate under the data key from "
                      + kek
                      + ": the header was modified, or that wrapped key was made for another"
                      + " message");
        }
        if (cache != null && !fromCache) {
          cache.offerUnwrapped(wrapping, key.share());
        }
        byte[] dataKey = keepDataKey ? key.dataKey().clone() : DataKeyCache.NO_DATA_KEY;
        return new OpenedMessage(kek, messageKeys, dataKey);
      }
    }
    if (failures == null) {
      throw new AuthenticationFailedException(
          "the message's data key is wrapped under "
              + header.entries().stream().map(Header.Entry::keyRef).toList()
              + ", and this Envelope is configured for none of them "
              + decryptionOrder);
    }
    throw KeyOperations.combine(failures);
  }

  /**
   * The keys of {@code header}'s message under {@code key}: from its derived secrets when they are
   * of the message's suite (a cached key's may be of another, if its wrapping was copied into a
   * message of another version), the payload key then written into {@code payloadKey}; else derived
   * from the data key, in arrays of their own.
   */
  private MessageKeys messageKeys(Header header, DataKeyCache.UnwrappedKey key, byte[] payloadKey) {
    if (key.secrets().suite() == header.suite()) {
      return header.messageKeys(key.secrets(), payloadKey);
    }
    return MessageKeys.derive(header.suite(), key.dataKey(), header.messageId(), primitives);
  }

  /**
   * An unwrapped data key, whose ownership this takes, with its secrets for {@code suite} (those of
   * the current suite for a suite 1 message, which derives its keys per message). The caller closes
   * it.
   */
  private DataKeyCache.UnwrappedKey withSecrets(byte[] dataKey, int suite) {
    int secretsSuite = suite == Format.SUITE_1 ? Format.suiteOf(Format.CURRENT_VERSION) : suite;
    try {
      return new DataKeyCache.UnwrappedKey(
          dataKey, DataKeySecrets.derive(secretsSuite, dataKey, primitives, macForm()));
    } catch (RuntimeException e) {
      Bytes.zero(dataKey);
      throw e;
    }
  }

  /** Configures an {@link Envelope}. At least one {@link #kek} is required. */
  public static final class Builder {
    private final SequencedSet<KeyRef> encryptionKeks = new LinkedHashSet<>();
    private final SequencedSet<KeyRef> decryptOnlyKeks = new LinkedHashSet<>();
    private final Map<KeyRefScheme, KeyWrapper> wrappers = new EnumMap<>(KeyRefScheme.class);
    private String preferredRegion;
    private int frameSize = Format.DEFAULT_FRAME_SIZE;
    private DataKeyCache cache;
    private AuditSink auditSink = AuditSink.NONE;
    private Supplier<String> principal = () -> null;
    private Supplier<String> requestId = () -> null;
    private AeadEngine engine;

    private Builder() {}

    /**
     * Adds a key-encryption key: every message's data key is wrapped under each one added (e.g. one
     * per region), and decryption tries them in the order added.
     */
    public Builder kek(KeyRef kek) {
      Objects.requireNonNull(kek, "kek");
      if (!encryptionKeks.add(kek)) {
        throw new InvalidInputException("KEK " + kek + " is added twice");
      }
      return this;
    }

    /**
     * Adds a KEK that decryption may use but encryption does not: a retired key during rotation, or
     * another service's region.
     */
    public Builder decryptOnlyKek(KeyRef kek) {
      Objects.requireNonNull(kek, "kek");
      if (!decryptOnlyKeks.add(kek)) {
        throw new InvalidInputException("KEK " + kek + " is added twice");
      }
      return this;
    }

    /**
     * The wrapper for its scheme's KeyRefs. KeyRefs of a scheme with no wrapper given here use the
     * one {@link com.plugsky.crypto.keywrap.KeyWrappers#forKeyRef} finds on the classpath.
     */
    public Builder keyWrapper(KeyWrapper wrapper) {
      Objects.requireNonNull(wrapper, "wrapper");
      if (wrappers.putIfAbsent(wrapper.scheme(), wrapper) != null) {
        throw new InvalidInputException(
            "a key wrapper for " + wrapper.scheme().prefix() + " KeyRefs is already set");
      }
      return this;
    }

    /** Decryption tries KEKs in this region ({@link KeyRef#region()}) before the others. */
    public Builder preferredRegion(String region) {
      this.preferredRegion = Objects.requireNonNull(region, "region");
      return this;
    }

    /** Plaintext bytes per frame: a power of two from 16 B to 16 MiB; 64 KiB by default. */
    public Builder frameSize(int frameSize) {
      if (!Format.isPowerOfTwoFrameSize(frameSize)) {
        throw new InvalidInputException(
            "frame size must be a power of two from 16 to 16777216 bytes, got " + frameSize);
      }
      this.frameSize = frameSize;
      return this;
    }

    /** Reuses data keys within the cache's limits; without this, every message gets a fresh one. */
    public Builder dataKeyCache(DataKeyCache cache) {
      this.cache = Objects.requireNonNull(cache, "cache");
      return this;
    }

    /** Receives an event per wrap, unwrap and rewrap; none by default. */
    public Builder auditSink(AuditSink auditSink) {
      this.auditSink = Objects.requireNonNull(auditSink, "auditSink");
      return this;
    }

    /** Asked once per audited operation for the caller's identity (null for none). */
    public Builder principal(Supplier<String> principal) {
      this.principal = Objects.requireNonNull(principal, "principal");
      return this;
    }

    /** Asked once per audited operation for the caller's correlation id (null for none). */
    public Builder requestId(Supplier<String> requestId) {
      this.requestId = Objects.requireNonNull(requestId, "requestId");
      return this;
    }

    /**
     * The engine for frames, HKDF and HMAC. By default {@link Engines#defaultEngine()}, except that
     * stream frames go to {@link Engines#forArrays} for their size; both honour {@code
     * -Dplugsky.crypto.fips=true}.
     */
    public Builder engine(AeadEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /**
     * @throws ConfigurationException when no KEK was added, or more than the format's 16
     */
    public Envelope build() {
      if (encryptionKeks.isEmpty()) {
        throw new ConfigurationException(
            "an Envelope needs at least one kek(...) to wrap data keys under");
      }
      if (encryptionKeks.size() > Format.MAX_WRAPPED_KEYS) {
        throw new ConfigurationException(
            "a message holds at most "
                + Format.MAX_WRAPPED_KEYS
                + " wrapped keys; "
                + encryptionKeks.size()
                + " KEKs were added");
      }
      for (KeyRef kek : decryptOnlyKeks) {
        if (encryptionKeks.contains(kek)) {
          throw new ConfigurationException(
              "KEK " + kek + " is added both as kek and decryptOnlyKek");
        }
      }
      return new Envelope(this);
    }
  }
}
