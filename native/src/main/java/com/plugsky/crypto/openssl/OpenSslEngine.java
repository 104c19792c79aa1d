package com.plugsky.crypto.openssl;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureRawGcm;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.lang.foreign.MemorySegment;

/** The {@code native} engine over one loaded libcrypto. */
final class OpenSslEngine implements AeadEngine {
  private final LibCrypto lib;
  private final MemorySegment aes256Gcm;
  private final InsecureRawGcm rawGcm;
  private final SymmetricPrimitives primitives;

  OpenSslEngine(LibCrypto lib) {
    this.lib = lib;
    MemorySegment[] gcm = ciphers(lib, "AES-%d-GCM", "EVP_aes_%d_gcm");
    this.aes256Gcm = gcm[2];
    this.rawGcm = new OpenSslRawGcm(lib, gcm);
    this.primitives = new OpenSslPrimitives(lib, ciphers(lib, "AES-%d-WRAP", "EVP_aes_%d_wrap"),
        ciphers(lib, "AES-%d-WRAP-PAD", "EVP_aes_%d_wrap_pad"));
  }

  @Override
  public String name() {
    return OpenSslEngineProvider.NAME;
  }

  @Override
  public boolean isFipsApproved() {
    return false;
  }

  @Override
  public Aead newAead(byte[] key) {
    return new OpenSslAead(lib, aes256Gcm, key);
  }

  @Override
  public InsecureRawGcm insecureRawGcm() {
    return rawGcm;
  }

  @Override
  public SymmetricPrimitives primitives() {
    return primitives;
  }

  String libraryVersion() {
    return lib.versionText;
  }

  @Override
  public String toString() {
    return "AeadEngine[native on " + lib.versionText + " (" + lib.libraryName + ")]";
  }

  private static MemorySegment[] ciphers(LibCrypto lib, String fetchPattern, String legacyPattern) {
    int[] bits = {128, 192, 256};
    MemorySegment[] ciphers = new MemorySegment[bits.length];
    for (int i = 0; i < bits.length; i++) {
      ciphers[i] = lib.cipher(fetchPattern.formatted(bits[i]), legacyPattern.formatted(bits[i]));
    }
    return ciphers;
  }
}
