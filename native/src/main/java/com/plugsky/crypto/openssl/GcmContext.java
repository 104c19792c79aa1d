package com.plugsky.crypto.openssl;

import static com.plugsky.crypto.openssl.LibCrypto.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.AEADBadTagException;

/**
 * One AES-256-GCM EVP_CIPHER_CTX plus the small native scratch area each call needs (nonce, tag,
 * out-length, and the raw key, kept until {@link #recycle} so that another context of the same key
 * can be set up from it), so that a call allocates nothing. Used by one thread at a time: {@link OpenSslAead} lends contexts out of a pool.
 *
 * <p>Contexts outlive keys. A key is given to a context that already holds the cipher ({@link
 * #take}) and is set up together with the first nonce, in one EVP_CipherInit_ex; when the key is
 * done, {@link #recycle} overwrites the key schedule with that of an all-zero key and keeps the
 * context for the next key. On OpenSSL 3.0 a fresh EVP_CIPHER_CTX costs mallocs for it and its
 * provider context (and as much again to copy a keyed one), and every init with a key or nonce
 * reads the key and IV lengths back through OSSL_PARAM string look-ups, so the fewer inits per key
 * the better: one with the first nonce, one to wipe.
 *
 * <p>Scratch areas are recycled through a process-wide free list rather than given an arena each:
 * closing a shared arena stops every thread at a handshake (about 50 µs here), which made each new
 * key, one per envelope message, cost 40 times an AES-GCM call.
 */
final class GcmContext {
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_LENGTH = 16;
  private static final int KEY_LENGTH = 32;
  private static final long NONCE_OFFSET = 0;
  private static final long TAG_OFFSET = 16;
  private static final long OUT_LENGTH_OFFSET = 32;
  private static final long KEY_OFFSET = 48;
  private static final long INLINE_OFFSET = 80;
  /**
   * Calls on byte arrays whose AAD and data together fit here copy them into native scratch and
   * run on its address: the heap segments of a call on the arrays themselves (seven objects, 224
   * bytes) escape the JIT's analysis when the call is deep in a caller's chain, and for small
   * inputs cost more than the two copies.
   */
  static final int INLINE_CAPACITY = 256;
  /** The most bytes one EVP_CipherUpdate downcall takes: about 0.1 ms of GCM here. */
  static final int UPDATE_CHUNK = 256 * 1024;
  private static final long SCRATCH_SIZE = INLINE_OFFSET + INLINE_CAPACITY;
  private static final byte[] ZEROS = new byte[INLINE_CAPACITY];
  private static final ConcurrentLinkedQueue<MemorySegment> SPARE_SCRATCH = new ConcurrentLinkedQueue<>();
  /** Idle contexts holding the cipher but no key, for the next key on any thread. */
  private static final AtomicReferenceArray<GcmContext> SPARES =
      new AtomicReferenceArray<>(Math.max(16, 8 * Runtime.getRuntime().availableProcessors()));
  private static final MemorySegment ZERO_KEY = Arena.global().allocate(KEY_LENGTH);

  private final LibCrypto lib;
  private final MemorySegment ctx;
  private final MemorySegment scratch;
  private final MemorySegment nonce;
  private final MemorySegment tag;
  private final MemorySegment outLength;
  private final MemorySegment key;
  private final long inlineAddress;
  /** The key slot holds a key that the next call sets up together with its nonce. */
  private boolean keyPending;
  /** The EVP context holds a key schedule that {@link #recycle} must overwrite. */
  private boolean keyed;

  private GcmContext(LibCrypto lib, MemorySegment ctx) {
    this.lib = lib;
    this.ctx = ctx;
    MemorySegment spare = SPARE_SCRATCH.poll();
    this.scratch = spare != null ? spare : Arena.global().allocate(SCRATCH_SIZE, 16);
    this.nonce = scratch.asSlice(NONCE_OFFSET, NONCE_LENGTH);
    this.tag = scratch.asSlice(TAG_OFFSET, TAG_LENGTH);
    this.outLength = scratch.asSlice(OUT_LENGTH_OFFSET, 4);
    this.key = scratch.asSlice(KEY_OFFSET, KEY_LENGTH);
    this.inlineAddress = scratch.address() + INLINE_OFFSET;
  }

  /**
   * A context for {@code cipher} (AES-256-GCM) with no key yet: an idle one left by an earlier
   * key when there is one, else a new one.
   */
  static GcmContext take(LibCrypto lib, MemorySegment cipher) {
    int start = homeSlot();
    for (int i = 0; i < SPARES.length(); i++) {
      int slot = (start + i) % SPARES.length();
      if (SPARES.get(slot) != null) {
        GcmContext spare = SPARES.getAndSet(slot, null);
        if (spare != null) {
          return spare;
        }
      }
    }
    MemorySegment ctx = newContext(lib);
    try {
      check(lib, (int) Evp.CIPHER_INIT.invokeExact(ctx, cipher, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, 1),
          "EVP_CipherInit_ex(cipher)");
      return new GcmContext(lib, ctx);
    } catch (Throwable e) {
      free(lib, ctx);
      throw rethrow(e);
    }
  }

  /** Copies {@code keyBytes} (32) to native memory; the next call sets the context up with it. */
  void setKey(byte[] keyBytes) {
    MemorySegment.copy(keyBytes, 0, key, ValueLayout.JAVA_BYTE, 0, KEY_LENGTH);
    keyPending = true;
  }

  /** {@link #setKey} with the key of {@code other}, which must not be recycled meanwhile. */
  void setKeyOf(GcmContext other) {
    MemorySegment.copy(other.key, 0, key, 0, KEY_LENGTH);
    keyPending = true;
  }

  /**
   * Wipes the key and key schedule and keeps the context for another key; frees it instead when
   * enough are kept already or the wipe fails (EVP_CIPHER_CTX_free cleanses the schedule).
   */
  void recycle() {
    boolean wiped = true;
    if (keyed) {
      try {
        wiped = (int) Evp.CIPHER_INIT.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, ZERO_KEY, MemorySegment.NULL, 1) == 1;
      } catch (Throwable e) {
        wiped = false;
      }
      keyed = false;
    }
    keyPending = false;
    lib.cleanse(scratch);
    if (!wiped) {
      lib.clearErrors();
    } else {
      int start = homeSlot();
      for (int i = 0; i < SPARES.length(); i++) {
        if (SPARES.compareAndSet((start + i) % SPARES.length(), null, this)) {
          return;
        }
      }
    }
    free(lib, ctx);
    SPARE_SCRATCH.offer(scratch);
  }

  /** The native copy of the key (zero when none is held); for tests. */
  MemorySegment keySlot() {
    return key;
  }

  private static int homeSlot() {
    return (int) (Thread.currentThread().threadId() % SPARES.length());
  }

  static MemorySegment newContext(LibCrypto lib) {
    try {
      MemorySegment ctx = (MemorySegment) Evp.CIPHER_CTX_NEW.invokeExact();
      if (ctx.equals(MemorySegment.NULL)) {
        throw new OutOfMemoryError("EVP_CIPHER_CTX_new returned NULL");
      }
      return ctx;
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  /**
   * Encrypts {@code length} bytes at {@code input} into {@code output}, then writes the tag to
   * {@code tagOut}. Segments may be native or heap.
   */
  void seal(byte[] nonceBytes, byte[] aad, MemorySegment input, MemorySegment output, MemorySegment tagOut) {
    try {
      start(nonceBytes, aad, 1);
      updateSegments(input, output);
      check(lib, (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength), "EVP_CipherFinal_ex");
      check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TAG_LENGTH, tag), "get tag");
      MemorySegment.copy(tag, 0, tagOut, 0, TAG_LENGTH);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  /**
   * {@link #seal} for byte arrays: {@code length} bytes at {@code in[offset]} are encrypted to
   * {@code out[outOffset]}, the tag right after them. Small calls go through the inline scratch;
   * for larger ones the heap segments are made here, in the method that hands them to OpenSSL,
   * where the JIT keeps them off the heap when it inlines the call far enough.
   */
  void sealArrays(byte[] nonceBytes, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset) {
    if ((long) aad.length + length <= INLINE_CAPACITY) {
      sealInline(nonceBytes, aad, in, offset, length, out, outOffset);
      return;
    }
    try {
      start(nonceBytes, aad, 1);
      updateArrays(in, offset, length, out, outOffset);
      check(lib, (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength), "EVP_CipherFinal_ex");
      check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TAG_LENGTH, tag), "get tag");
      MemorySegment.copy(tag, ValueLayout.JAVA_BYTE, 0, out, outOffset + length, TAG_LENGTH);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  /**
   * {@link #open} for byte arrays: {@code length} bytes of ciphertext at {@code in[offset]}, then
   * the tag, decrypted to {@code out[outOffset]}.
   *
   * @throws AEADBadTagException when the tag does not verify; {@code out} then holds unverified
   *     bytes that the caller must wipe
   */
  void openArrays(byte[] nonceBytes, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws AEADBadTagException {
    if ((long) aad.length + length <= INLINE_CAPACITY) {
      openInline(nonceBytes, aad, in, offset, length, out, outOffset);
      return;
    }
    int verified;
    try {
      start(nonceBytes, aad, 0);
      MemorySegment.copy(in, offset + length, tag, ValueLayout.JAVA_BYTE, 0, TAG_LENGTH);
      check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_SET_TAG, TAG_LENGTH, tag), "set tag");
      updateArrays(in, offset, length, out, outOffset);
      verified = (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    if (verified != 1) {
      lib.clearErrors();
      throw new AEADBadTagException("AES-GCM tag mismatch");
    }
  }

  /**
   * Encrypts or decrypts {@code length} bytes of {@code in} into {@code out}, in pieces of at most
   * {@value #UPDATE_CHUNK} bytes: the downcalls are critical (no thread-state change, heap arrays
   * passed as they are), so the JVM cannot reach a safepoint during one, and a single call over a
   * large array would hold up every thread's garbage collection for as long as it runs.
   */
  private void updateArrays(byte[] in, int offset, int length, byte[] out, int outOffset)
      throws Throwable {
    for (int done = 0; done < length; ) {
      int piece = Math.min(UPDATE_CHUNK, length - done);
      check(lib, (int) Evp.CIPHER_UPDATE.invokeExact(ctx, MemorySegment.ofArray(out).asSlice(outOffset + done, piece),
          outLength, MemorySegment.ofArray(in).asSlice(offset + done, piece), piece), "EVP_CipherUpdate");
      done += piece;
    }
  }

  /** {@link #updateArrays} for segments, native or heap, of one length. */
  private void updateSegments(MemorySegment input, MemorySegment output) throws Throwable {
    long length = input.byteSize();
    for (long done = 0; done < length; ) {
      int piece = (int) Math.min(UPDATE_CHUNK, length - done);
      check(lib, (int) Evp.CIPHER_UPDATE.invokeExact(ctx, output.asSlice(done, piece), outLength,
          input.asSlice(done, piece), piece), "EVP_CipherUpdate");
      done += piece;
    }
  }

  /** {@link #updateArrays} for native memory given by address. */
  private void updateAt(long input, int length, long output) throws Throwable {
    for (int done = 0; done < length; ) {
      int piece = Math.min(UPDATE_CHUNK, length - done);
      check(lib, (int) Evp.CIPHER_UPDATE_AT_ADDRESSES.invokeExact(ctx, output + done, outLength, input + done, piece),
          "EVP_CipherUpdate");
      done += piece;
    }
  }

  /**
   * {@link #sealArrays} through the inline scratch: the AAD and the plaintext are copied in, the
   * plaintext encrypted in place and copied out with the tag, and the scratch zeroed.
   */
  private void sealInline(
      byte[] nonceBytes, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset) {
    int used = aad.length + length;
    long data = inlineAddress + aad.length;
    try {
      MemorySegment.copy(aad, 0, scratch, ValueLayout.JAVA_BYTE, INLINE_OFFSET, aad.length);
      MemorySegment.copy(in, offset, scratch, ValueLayout.JAVA_BYTE, INLINE_OFFSET + aad.length, length);
      startInline(nonceBytes, aad.length, 1);
      if (length > 0) {
        check(lib, (int) Evp.CIPHER_UPDATE_AT_ADDRESSES.invokeExact(ctx, data, outLength, data, length),
            "EVP_CipherUpdate");
      }
      check(lib, (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength), "EVP_CipherFinal_ex");
      check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TAG_LENGTH, tag), "get tag");
      MemorySegment.copy(scratch, ValueLayout.JAVA_BYTE, INLINE_OFFSET + aad.length, out, outOffset, length);
      MemorySegment.copy(tag, ValueLayout.JAVA_BYTE, 0, out, outOffset + length, TAG_LENGTH);
    } catch (Throwable e) {
      throw rethrow(e);
    } finally {
      MemorySegment.copy(ZEROS, 0, scratch, ValueLayout.JAVA_BYTE, INLINE_OFFSET, used);
    }
  }

  /**
   * {@link #openArrays} through the inline scratch: the plaintext leaves it only once the tag has
   * verified, and the scratch is zeroed either way.
   */
  private void openInline(
      byte[] nonceBytes, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws AEADBadTagException {
    int used = aad.length + length;
    long data = inlineAddress + aad.length;
    int verified;
    try {
      MemorySegment.copy(aad, 0, scratch, ValueLayout.JAVA_BYTE, INLINE_OFFSET, aad.length);
      MemorySegment.copy(in, offset, scratch, ValueLayout.JAVA_BYTE, INLINE_OFFSET + aad.length, length);
      startInline(nonceBytes, aad.length, 0);
      MemorySegment.copy(in, offset + length, tag, ValueLayout.JAVA_BYTE, 0, TAG_LENGTH);
      check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_SET_TAG, TAG_LENGTH, tag), "set tag");
      if (length > 0) {
        check(lib, (int) Evp.CIPHER_UPDATE_AT_ADDRESSES.invokeExact(ctx, data, outLength, data, length),
            "EVP_CipherUpdate");
      }
      verified = (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength);
      if (verified == 1) {
        MemorySegment.copy(scratch, ValueLayout.JAVA_BYTE, INLINE_OFFSET + aad.length, out, outOffset, length);
      }
    } catch (Throwable e) {
      throw rethrow(e);
    } finally {
      MemorySegment.copy(ZEROS, 0, scratch, ValueLayout.JAVA_BYTE, INLINE_OFFSET, used);
    }
    if (verified != 1) {
      lib.clearErrors();
      throw new AEADBadTagException("AES-GCM tag mismatch");
    }
  }

  /**
   * {@link #seal} for native memory given by address: {@code length} bytes at {@code input} are
   * encrypted to {@code output} and the tag written at {@code tagOut}. The caller has checked the
   * bounds and keeps the memory alive for the call.
   */
  void sealAt(byte[] nonceBytes, byte[] aad, long input, int length, long output, long tagOut) {
    try {
      start(nonceBytes, aad, 1);
      updateAt(input, length, output);
      check(lib, (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength), "EVP_CipherFinal_ex");
      check(lib, (int) Evp.CIPHER_CTX_CTRL_AT_ADDRESS.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TAG_LENGTH, tagOut),
          "get tag");
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  /**
   * {@link #open} for native memory given by address; the same contract as {@link #sealAt}.
   *
   * @throws AEADBadTagException when the tag does not verify; {@code output} then holds
   *     unverified bytes that the caller must wipe
   */
  void openAt(byte[] nonceBytes, byte[] aad, long input, int length, long tagIn, long output)
      throws AEADBadTagException {
    int verified;
    try {
      start(nonceBytes, aad, 0);
      check(lib, (int) Evp.CIPHER_CTX_CTRL_AT_ADDRESS.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_SET_TAG, TAG_LENGTH, tagIn),
          "set tag");
      updateAt(input, length, output);
      verified = (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    if (verified != 1) {
      lib.clearErrors();
      throw new AEADBadTagException("AES-GCM tag mismatch");
    }
  }

  /**
   * Decrypts {@code input} into {@code output} and verifies {@code tagIn}.
   *
   * @throws AEADBadTagException when the tag does not verify; {@code output} then holds
   *     unverified bytes that the caller must wipe
   */
  void open(byte[] nonceBytes, byte[] aad, MemorySegment input, MemorySegment tagIn, MemorySegment output)
      throws AEADBadTagException {
    int verified;
    try {
      start(nonceBytes, aad, 0);
      MemorySegment.copy(tagIn, 0, tag, 0, TAG_LENGTH);
      check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_SET_TAG, TAG_LENGTH, tag), "set tag");
      updateSegments(input, output);
      verified = (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    if (verified != 1) {
      lib.clearErrors();
      throw new AEADBadTagException("AES-GCM tag mismatch");
    }
  }

  private void start(byte[] nonceBytes, byte[] aad, int encrypt) throws Throwable {
    init(nonceBytes, encrypt);
    if (aad.length > 0) {
      check(lib, (int) Evp.CIPHER_UPDATE.invokeExact(ctx, MemorySegment.NULL, outLength, MemorySegment.ofArray(aad), aad.length),
          "EVP_CipherUpdate(aad)");
    }
  }

  /** {@link #start} with the AAD ({@code aadLength} bytes) at the start of the inline scratch. */
  private void startInline(byte[] nonceBytes, int aadLength, int encrypt) throws Throwable {
    init(nonceBytes, encrypt);
    if (aadLength > 0) {
      check(lib, (int) Evp.CIPHER_UPDATE_AT_ADDRESSES.invokeExact(ctx, 0L, outLength, inlineAddress, aadLength),
          "EVP_CipherUpdate(aad)");
    }
  }

  private void init(byte[] nonceBytes, int encrypt) throws Throwable {
    MemorySegment.copy(nonceBytes, 0, nonce, ValueLayout.JAVA_BYTE, 0, NONCE_LENGTH);
    MemorySegment newKey = MemorySegment.NULL;
    if (keyPending) {
      // The pending key goes in with the nonce: one init instead of two.
      newKey = key;
      keyed = true;
    } else if (!keyed) {
      // A recycled context holds the all-zero key's schedule: never encrypt under it.
      throw new IllegalStateException("AES-GCM context used without a key");
    }
    check(lib, (int) Evp.CIPHER_INIT.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, newKey, nonce, encrypt),
        "EVP_CipherInit_ex");
    keyPending = false;
  }

  static void free(LibCrypto lib, MemorySegment ctx) {
    try {
      // EVP_CIPHER_CTX_free cleanses the key schedule before releasing it.
      Evp.CIPHER_CTX_FREE.invokeExact(ctx);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  static void check(LibCrypto lib, int result, String call) {
    if (result != 1) {
      lib.clearErrors();
      throw new IllegalStateException(call + " failed in " + lib.libraryName);
    }
  }
}
