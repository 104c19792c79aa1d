package com.plugsky.crypto.openssl;

import static com.plugsky.crypto.openssl.LibCrypto.rethrow;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.engine.spi.HkdfSha256;
import com.plugsky.crypto.engine.spi.KeyWrapRules;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Objects;

/** AES-KW/KWP with libcrypto's wrap ciphers, HMAC-SHA256 with its HMAC, HKDF on that HMAC. */
final class OpenSslPrimitives implements SymmetricPrimitives {
  private static final int SHA256_LENGTH = 32;
  // HMAC pads keys with zeros to the block size, so an empty key equals one zero byte; passing
  // the byte avoids OpenSSL's special meaning of a NULL key.
  private static final byte[] EMPTY_HMAC_KEY_EQUIVALENT = new byte[1];

  private final LibCrypto lib;
  private final MemorySegment sha256;
  private final MemorySegment[] kwByKeyLength;
  private final MemorySegment[] kwpByKeyLength;

  OpenSslPrimitives(LibCrypto lib, MemorySegment[] kwByKeyLength, MemorySegment[] kwpByKeyLength) {
    this.lib = lib;
    this.sha256 = lib.sha256();
    this.kwByKeyLength = kwByKeyLength.clone();
    this.kwpByKeyLength = kwpByKeyLength.clone();
  }

  @Override
  public byte[] wrapKey(KeyWrapMode mode, byte[] kek, byte[] keyData) {
    KeyWrapRules.checkKek(kek);
    KeyWrapRules.checkKeyData(mode, keyData);
    byte[] wrapped = run(mode, kek, keyData, keyData.length + 16, 1);
    if (wrapped == null) {
      throw new IllegalStateException(mode + " wrap failed in " + lib.libraryName);
    }
    return wrapped;
  }

  @Override
  public byte[] unwrapKey(KeyWrapMode mode, byte[] kek, byte[] wrapped) {
    KeyWrapRules.checkKek(kek);
    KeyWrapRules.checkWrapped(mode, wrapped);
    byte[] keyData = run(mode, kek, wrapped, wrapped.length, 0);
    if (keyData == null) {
      throw new AuthenticationFailedException(mode + " unwrap failed its integrity check: wrong key or modified data");
    }
    return keyData;
  }

  @Override
  public byte[] hmacSha256(byte[] key, byte[] message) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(message, "message");
    byte[] effectiveKey = key.length == 0 ? EMPTY_HMAC_KEY_EQUIVALENT : key;
    byte[] tag = new byte[SHA256_LENGTH];
    int[] tagLength = new int[1];
    try {
      MemorySegment result = (MemorySegment) Evp.HMAC.invokeExact(sha256, MemorySegment.ofArray(effectiveKey), effectiveKey.length,
          MemorySegment.ofArray(message), (long) message.length, MemorySegment.ofArray(tag), MemorySegment.ofArray(tagLength));
      if (result.equals(MemorySegment.NULL) || tagLength[0] != SHA256_LENGTH) {
        lib.clearErrors();
        throw new IllegalStateException("HMAC-SHA256 failed in " + lib.libraryName);
      }
      return tag;
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  @Override
  public byte[] hkdfSha256(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length) {
    return HkdfSha256.derive(this::hmacSha256, inputKeyMaterial, salt, info, length);
  }

  /** Runs a wrap cipher in one update; null when OpenSSL refuses (for unwrap: integrity failure). */
  private byte[] run(KeyWrapMode mode, byte[] kek, byte[] input, int maxOutput, int encrypt) {
    MemorySegment cipher = (mode == KeyWrapMode.AES_KW ? kwByKeyLength : kwpByKeyLength)[kek.length / 8 - 2];
    MemorySegment ctx = GcmContext.newContext(lib);
    byte[] out = new byte[maxOutput];
    try (Arena arena = Arena.ofConfined()) {
      Evp.CIPHER_CTX_SET_FLAGS.invokeExact(ctx, LibCrypto.EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
      MemorySegment nativeKek = arena.allocateFrom(ValueLayout.JAVA_BYTE, kek);
      int initialised;
      try {
        initialised = (int) Evp.CIPHER_INIT.invokeExact(ctx, cipher, MemorySegment.NULL, nativeKek, MemorySegment.NULL, encrypt);
      } finally {
        lib.cleanse(nativeKek);
      }
      GcmContext.check(lib, initialised, "EVP_CipherInit_ex(" + mode + ")");
      MemorySegment outLength = arena.allocate(ValueLayout.JAVA_INT);
      int updated = (int) Evp.CIPHER_UPDATE.invokeExact(ctx, MemorySegment.ofArray(out), outLength, MemorySegment.ofArray(input), input.length);
      int produced = outLength.get(ValueLayout.JAVA_INT, 0);
      if (updated != 1 || produced <= 0) {
        lib.clearErrors();
        Arrays.fill(out, (byte) 0);
        return null;
      }
      byte[] result = Arrays.copyOf(out, produced);
      Arrays.fill(out, (byte) 0);
      return result;
    } catch (Throwable e) {
      throw rethrow(e);
    } finally {
      GcmContext.free(lib, ctx);
    }
  }
}
