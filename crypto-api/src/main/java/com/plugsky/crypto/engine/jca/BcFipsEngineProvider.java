package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.AeadEngineProvider;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;

/**
 * The {@code bc-fips} engine: Bouncy Castle's FIPS 140-3 module ({@code org.bouncycastle:bc-fips},
 * an optional dependency). Started with {@code -Dorg.bouncycastle.fips.approved_only=true}, the
 * module refuses every non-approved algorithm and this engine reports itself FIPS approved,
 * generating GCM nonces inside the module from its approved DRBG.
 */
public final class BcFipsEngineProvider implements AeadEngineProvider {
  public static final String NAME = "bc-fips";
  private static final String PROVIDER_CLASS = "org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public AeadEngine load() throws ReflectiveOperationException {
    OptionalJars.require(PROVIDER_CLASS, "org.bouncycastle:bc-fips", NAME);
    return Module.load();
  }

  /** Touches Bouncy Castle classes only once the jar is known to be present. */
  private static final class Module {
    static AeadEngine load() {
      Provider provider = new org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider();
      ThreadLocal<SecureRandom> approvedRandom = null;
      if (org.bouncycastle.crypto.CryptoServicesRegistrar.isInApprovedOnlyMode()) {
        approvedRandom = ThreadLocal.withInitial(() -> approvedDrbg(provider));
      }
      return new JcaEngine(NAME, provider, approvedRandom, "AESKW", "AESKWP", false, null);
    }

    private static SecureRandom approvedDrbg(Provider provider) {
      try {
        return SecureRandom.getInstance("DEFAULT", provider);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("BC-FIPS has no DEFAULT DRBG", e);
      }
    }
  }
}
