package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.AeadEngineProvider;
import java.security.Provider;
import java.security.Security;

/** The {@code jdk} engine: SunJCE, whose AES-GCM the JDK 25 JIT compiles to AVX-512/VAES code. */
public final class JdkEngineProvider implements AeadEngineProvider {
  public static final String NAME = "jdk";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AeadEngine load() {
    Provider sunJce = Security.getProvider("SunJCE");
    if (sunJce == null) {
      throw new IllegalStateException("the SunJCE provider is not installed in this JVM");
    }
    return new JcaEngine(NAME, sunJce, null, "AES/KW/NoPadding", "AES/KWP/NoPadding", false, null);
  }
}
