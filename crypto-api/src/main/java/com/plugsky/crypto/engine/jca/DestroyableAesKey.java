package com.plugsky.crypto.engine.jca;

import java.util.Arrays;
import javax.crypto.SecretKey;

/**
 * An AES key that, unlike {@link javax.crypto.spec.SecretKeySpec}, can be wiped: {@link #destroy()}
 * zeroes the only copy this library holds. Providers receive fresh copies from {@link
 * #getEncoded()} for each initialisation.
 */
final class DestroyableAesKey implements SecretKey {
  private final byte[] key;
  private volatile boolean destroyed;

  DestroyableAesKey(byte[] key) {
    this.key = key.clone();
  }

  @Override
  public String getAlgorithm() {
    return "AES";
  }

  @Override
  public String getFormat() {
    return "RAW";
  }

  @Override
  public byte[] getEncoded() {
    if (destroyed) {
      throw new IllegalStateException("key destroyed");
    }
    return key.clone();
  }

  @Override
  public void destroy() {
    Arrays.fill(key, (byte) 0);
    destroyed = true;
  }

  @Override
  public boolean isDestroyed() {
    return destroyed;
  }

  @Override
  public String toString() {
    return "AES-" + key.length * 8 + " key" + (destroyed ? " (destroyed)" : "");
  }
}
