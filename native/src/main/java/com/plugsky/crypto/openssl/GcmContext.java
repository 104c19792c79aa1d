package com.plugsky.crypto.openssl;

import static com.plugsky.crypto.openssl.LibCrypto.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.crypto.AEADBadTagException;

/**
 * One EVP_CIPHER_CTX with the key schedule already set, plus the small native scratch area each
 * call needs (nonce, tag, out-length), so that a call allocates nothing. Used by one thread at a
 * time: {@link OpenSslAead} lends contexts out of a pool.
 *
 * <p>Scratch areas are recycled through a process-wide free list rather than given an arena each:
 * closing a shared arena stops every thread at a handshake (about 50 µs here), which made each new
 * key, one per envelope message, cost 40 times an AES-GCM call.
 */
final class GcmContext {
  private static final int NONCE_LENGTH = 12;
  private static final int TAG_LENGTH = 16;
  private static final long NONCE_OFFSET = 0;
  private static final long TAG_OFFSET = 16;
  private static final long OUT_LENGTH_OFFSET = 32;
  private static final long SCRATCH_SIZE = 40;
  private static final ConcurrentLinkedQueue<MemorySegment> SPARE_SCRATCH = new ConcurrentLinkedQueue<>();

  private final LibCrypto lib;
  private final MemorySegment ctx;
  private final MemorySegment scratch;
  private final MemorySegment nonce;
  private final MemorySegment tag;
  private final MemorySegment outLength;

  GcmContext(LibCrypto lib, MemorySegment ctx) {
    this.lib = lib;
    this.ctx = ctx;
    MemorySegment spare = SPARE_SCRATCH.poll();
    this.scratch = spare != null ? spare : Arena.global().allocate(SCRATCH_SIZE, 16);
    this.nonce = scratch.asSlice(NONCE_OFFSET, NONCE_LENGTH);
    this.tag = scratch.asSlice(TAG_OFFSET, TAG_LENGTH);
    this.outLength = scratch.asSlice(OUT_LENGTH_OFFSET, 4);
  }

  /** A context keyed by copying {@code template}'s key schedule. */
  static GcmContext copyOf(LibCrypto lib, MemorySegment template) {
    MemorySegment ctx = newContext(lib);
    try {
      check(lib, (int) Evp.CIPHER_CTX_COPY.invokeExact(ctx, template), "EVP_CIPHER_CTX_copy");
      return new GcmContext(lib, ctx);
    } catch (Throwable e) {
      free(lib, ctx);
      throw rethrow(e);
    }
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
      int length = (int) input.byteSize();
      if (length > 0) {
        check(lib, (int) Evp.CIPHER_UPDATE.invokeExact(ctx, output, outLength, input, length), "EVP_CipherUpdate");
      }
      check(lib, (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength), "EVP_CipherFinal_ex");
      check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TAG_LENGTH, tag), "get tag");
      MemorySegment.copy(tag, 0, tagOut, 0, TAG_LENGTH);
    } catch (Throwable e) {
      throw rethrow(e);
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
      if (length > 0) {
        check(lib, (int) Evp.CIPHER_UPDATE_AT_ADDRESSES.invokeExact(ctx, output, outLength, input, length),
            "EVP_CipherUpdate");
      }
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
      if (length > 0) {
        check(lib, (int) Evp.CIPHER_UPDATE_AT_ADDRESSES.invokeExact(ctx, output, outLength, input, length),
            "EVP_CipherUpdate");
      }
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
      int length = (int) input.byteSize();
      if (length > 0) {
        check(lib, (int) Evp.CIPHER_UPDATE.invokeExact(ctx, output, outLength, input, length), "EVP_CipherUpdate");
      }
      verified = (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength);
    } catch (Throwable e) {
      throw rethrow(e);
    }
    if (verified != 1) {
      lib.clearErrors();
      throw new AEADBadTagException("AES-GCM tag mismatch");
    }
  }

  void free() {
    free(lib, ctx);
    scratch.fill((byte) 0);
    SPARE_SCRATCH.offer(scratch);
  }

  private void start(byte[] nonceBytes, byte[] aad, int encrypt) throws Throwable {
    MemorySegment.copy(nonceBytes, 0, nonce, ValueLayout.JAVA_BYTE, 0, NONCE_LENGTH);
    check(lib, (int) Evp.CIPHER_INIT.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, nonce, encrypt),
        "EVP_CipherInit_ex");
    if (aad.length > 0) {
      check(lib, (int) Evp.CIPHER_UPDATE.invokeExact(ctx, MemorySegment.NULL, outLength, MemorySegment.ofArray(aad), aad.length),
          "EVP_CipherUpdate(aad)");
    }
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
