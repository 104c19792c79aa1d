package com.plugsky.crypto.openssl;

import java.lang.invoke.MethodHandle;

/**
 * The downcalls on the hot path, in static final fields: the JIT treats those as constants and
 * inlines each call down to the native stub, which it does not do through an object's fields.
 * Bound to the JVM's one libcrypto ({@link LibCrypto#loaded()}); touching this class first loads it.
 */
final class Evp {
  static final LibCrypto LIB = LibCrypto.loaded();
  static final MethodHandle CIPHER_CTX_NEW = LIB.cipherCtxNew;
  static final MethodHandle CIPHER_CTX_FREE = LIB.cipherCtxFree;
  static final MethodHandle CIPHER_CTX_COPY = LIB.cipherCtxCopy;
  static final MethodHandle CIPHER_CTX_CTRL = LIB.cipherCtxCtrl;
  static final MethodHandle CIPHER_CTX_SET_FLAGS = LIB.cipherCtxSetFlags;
  static final MethodHandle CIPHER_INIT = LIB.cipherInit;
  static final MethodHandle CIPHER_UPDATE = LIB.cipherUpdate;
  static final MethodHandle CIPHER_UPDATE_AT_ADDRESSES = LIB.cipherUpdateAtAddresses;
  static final MethodHandle CIPHER_CTX_CTRL_AT_ADDRESS = LIB.cipherCtxCtrlAtAddress;
  static final MethodHandle CIPHER_FINAL = LIB.cipherFinal;
  static final MethodHandle HMAC = LIB.hmac;

  private Evp() {}
}
