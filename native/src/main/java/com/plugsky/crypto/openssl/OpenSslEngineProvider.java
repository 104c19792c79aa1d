package com.plugsky.crypto.openssl;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.AeadEngineProvider;

/**
 * The {@code native} engine: libcrypto through java.lang.foreign. Which library is loaded:
 * {@code -Dplugsky.crypto.libcrypto=/path/or/name}, otherwise {@code libcrypto.so.3}, then
 * {@code libcrypto.so}. It needs OpenSSL 3.0+, AWS-LC or BoringSSL, and native access
 * ({@code --enable-native-access=ALL-UNNAMED}, or the jar's manifest when run with -jar).
 */
public final class OpenSslEngineProvider implements AeadEngineProvider {
  public static final String NAME = "native";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AeadEngine load() {
    return new OpenSslEngine(LibCrypto.loaded());
  }
}
