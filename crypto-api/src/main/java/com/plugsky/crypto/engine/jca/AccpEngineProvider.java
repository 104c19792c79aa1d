package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.AeadEngineProvider;

/**
 * The {@code accp} engine: Amazon Corretto Crypto Provider (AWS-LC behind JNI), present when
 * {@code software.amazon.cryptools:AmazonCorrettoCryptoProvider} (classifier linux-x86_64) is on
 * the classpath and its own health check passes. ACCP has AES-KWP but no RFC 3394 AES-KW.
 */
public final class AccpEngineProvider implements AeadEngineProvider {
  public static final String NAME = "accp";
  private static final String PROVIDER_CLASS = "com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AeadEngine load() throws ReflectiveOperationException {
    OptionalJars.require(PROVIDER_CLASS, "software.amazon.cryptools:AmazonCorrettoCryptoProvider (linux-x86_64)", NAME);
    return Module.load();
  }

  private static final class Module {
    static AeadEngine load() {
      var accp = com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
      Throwable loadingError = accp.getLoadingError();
      if (loadingError != null) {
        throw new IllegalStateException("ACCP failed to load its native library: " + loadingError.getMessage(), loadingError);
      }
      accp.assertHealthy();
      return new JcaEngine(NAME, accp, null, null, "AES/KWP/NoPadding", false, null);
    }
  }
}
