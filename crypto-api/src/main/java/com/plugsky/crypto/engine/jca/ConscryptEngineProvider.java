package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.AeadEngineProvider;

/**
 * The {@code conscrypt} engine: Google's Conscrypt (BoringSSL behind JNI), present when
 * {@code org.conscrypt:conscrypt-openjdk-uber} is on the classpath and its native library loads.
 * Its GCM takes 12-byte IVs only and it has no AES key wrap. Keys take BoringSSL's one-shot AEAD
 * calls directly when Conscrypt's JNI library offers them ({@link ConscryptAead}), else its {@code
 * Cipher}.
 */
public final class ConscryptEngineProvider implements AeadEngineProvider {
  public static final String NAME = "conscrypt";
  private static final String CONSCRYPT_CLASS = "org.conscrypt.Conscrypt";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AeadEngine load() throws ReflectiveOperationException {
    OptionalJars.require(CONSCRYPT_CLASS, "org.conscrypt:conscrypt-openjdk-uber", NAME);
    return Module.load();
  }

  private static final class Module {
    static AeadEngine load() {
      org.conscrypt.Conscrypt.checkAvailability();
      java.security.Provider provider = org.conscrypt.Conscrypt.newProvider();
      return new JcaEngine(NAME, provider, null, null, null, true, ConscryptAead.Calls.bind(provider));
    }
  }
}
