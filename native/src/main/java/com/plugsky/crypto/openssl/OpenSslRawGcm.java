package com.plugsky.crypto.openssl;

import static com.plugsky.crypto.openssl.LibCrypto.rethrow;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.engine.spi.AbstractInsecureRawGcm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/** Raw GCM for conformance vectors: a fresh context per call, any IV length OpenSSL accepts. */
final class OpenSslRawGcm extends AbstractInsecureRawGcm {
  private static final int TAG_LENGTH = 16;
  // OpenSSL 3's GCM provider keeps the IV in a 1024-bit buffer (GCM_IV_MAX_SIZE) and refuses more.
  private static final int MAX_IV_BYTES = 128;

  private final LibCrypto lib;
  private final MemorySegment[] ciphersByKeyLength;

  /** @param ciphersByKeyLength AES-128/192/256-GCM, indexed by key length / 8 - 2 */
  OpenSslRawGcm(LibCrypto lib, MemorySegment[] ciphersByKeyLength) {
    this.lib = lib;
    this.ciphersByKeyLength = ciphersByKeyLength.clone();
  }

  @Override
  public boolean supportsIvLength(int ivBytes) {
    return ivBytes > 0 && ivBytes <= MAX_IV_BYTES;
  }

  @Override
  protected byte[] encryptFullTag(byte[] key, byte[] iv, byte[] aad, byte[] plaintext) {
    byte[] out = new byte[plaintext.length + TAG_LENGTH];
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ctx = start(arena, key, iv, aad, 1);
      try {
        MemorySegment outLength = arena.allocate(ValueLayout.JAVA_INT);
        MemorySegment output = MemorySegment.ofArray(out);
        if (plaintext.length > 0) {
          GcmContext.check(lib, (int) Evp.CIPHER_UPDATE.invokeExact(ctx, output.asSlice(0, plaintext.length), outLength,
              MemorySegment.ofArray(plaintext), plaintext.length), "EVP_CipherUpdate");
        }
        MemorySegment tag = arena.allocate(TAG_LENGTH);
        GcmContext.check(lib, (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength), "EVP_CipherFinal_ex");
        GcmContext.check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_GET_TAG, TAG_LENGTH, tag), "get tag");
        MemorySegment.copy(tag, 0, output, plaintext.length, TAG_LENGTH);
        return out;
      } finally {
        GcmContext.free(lib, ctx);
      }
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  @Override
  protected byte[] decryptFullTag(byte[] key, byte[] iv, byte[] aad, byte[] ciphertextAndTag) throws AEADBadTagException {
    int length = ciphertextAndTag.length - TAG_LENGTH;
    byte[] out = new byte[length];
    int verified;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ctx = start(arena, key, iv, aad, 0);
      try {
        MemorySegment input = MemorySegment.ofArray(ciphertextAndTag);
        MemorySegment tag = arena.allocate(TAG_LENGTH);
        MemorySegment.copy(input, length, tag, 0, TAG_LENGTH);
        GcmContext.check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_SET_TAG, TAG_LENGTH, tag), "set tag");
        MemorySegment outLength = arena.allocate(ValueLayout.JAVA_INT);
        if (length > 0) {
          GcmContext.check(lib, (int) Evp.CIPHER_UPDATE.invokeExact(ctx, MemorySegment.ofArray(out), outLength,
              input.asSlice(0, length), length), "EVP_CipherUpdate");
        }
        verified = (int) Evp.CIPHER_FINAL.invokeExact(ctx, tag, outLength);
      } finally {
        GcmContext.free(lib, ctx);
      }
    } catch (Throwable e) {
      throw rethrow(e);
    }
    if (verified != 1) {
      lib.clearErrors();
      Arrays.fill(out, (byte) 0);
      throw new AEADBadTagException("GCM tag mismatch");
    }
    return out;
  }

  private MemorySegment start(Arena arena, byte[] key, byte[] iv, byte[] aad, int encrypt) throws Throwable {
    MemorySegment ctx = GcmContext.newContext(lib);
    try {
      MemorySegment cipher = ciphersByKeyLength[key.length / 8 - 2];
      GcmContext.check(lib, (int) Evp.CIPHER_INIT.invokeExact(ctx, cipher, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, encrypt),
          "EVP_CipherInit_ex(cipher)");
      if (!supportsIvLength(iv.length)) {
        throw new InvalidInputException(
            lib.libraryName + " takes GCM IVs of 1.." + MAX_IV_BYTES + " bytes, got " + iv.length);
      }
      GcmContext.check(lib, (int) Evp.CIPHER_CTX_CTRL.invokeExact(ctx, LibCrypto.EVP_CTRL_AEAD_SET_IVLEN, iv.length, MemorySegment.NULL),
          "set IV length " + iv.length);
      MemorySegment nativeKey = arena.allocateFrom(ValueLayout.JAVA_BYTE, key);
      try {
        GcmContext.check(lib, (int) Evp.CIPHER_INIT.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, nativeKey,
            arena.allocateFrom(ValueLayout.JAVA_BYTE, iv), encrypt), "EVP_CipherInit_ex(key, iv)");
      } finally {
        lib.cleanse(nativeKey);
      }
      if (aad.length > 0) {
        GcmContext.check(lib, (int) Evp.CIPHER_UPDATE.invokeExact(ctx, MemorySegment.NULL, arena.allocate(ValueLayout.JAVA_INT),
            MemorySegment.ofArray(aad), aad.length), "EVP_CipherUpdate(aad)");
      }
      return ctx;
    } catch (Throwable e) {
      GcmContext.free(lib, ctx);
      throw e;
    }
  }
}
