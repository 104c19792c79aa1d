package com.plugsky.crypto.bench.aesgcm;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.Security;
import java.util.List;
import org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider;

/** The peer implementations by name, as the {@code peer} benchmark parameter spells them. */
final class Peers {
  /** Every peer, in report order. */
  static final List<String> NAMES = List.of("sunjce", "accp", "conscrypt", "tink", "bc-fips-jca");

  private Peers() {}

  static PeerAead create(String name, byte[] key) throws GeneralSecurityException {
    return switch (name) {
      case "sunjce" -> new JcaPeerAead(requireProvider("SunJCE"), key);
      case "accp" -> new JcaPeerAead(healthyAccp(), key);
      case "conscrypt" -> new JcaPeerAead(org.conscrypt.Conscrypt.newProvider(), key);
      case "tink" -> new TinkPeerAead(key);
      case "bc-fips-jca" -> new JcaPeerAead(new BouncyCastleFipsProvider(), key);
      default -> throw new IllegalArgumentException("unknown peer '" + name + "'; peers are " + NAMES);
    };
  }

  private static Provider requireProvider(String name) {
    Provider provider = Security.getProvider(name);
    if (provider == null) {
      throw new IllegalStateException("this JDK has no " + name + " provider");
    }
    return provider;
  }

  /**
   * ACCP, used as a provider object only: it is never installed as the default, so no other peer
   * runs on it by accident.
   */
  private static Provider healthyAccp() {
    AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
    Throwable loadingError = accp.getLoadingError();
    if (loadingError != null) {
      throw new IllegalStateException(
          "skipping peer 'accp': Amazon Corretto Crypto Provider did not load its native library on"
              + " this machine (" + loadingError + "); the linux-x86_64 build needs Linux on x86-64",
          loadingError);
    }
    try {
      accp.assertHealthy();
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "skipping peer 'accp': Amazon Corretto Crypto Provider failed its self-tests: " + e.getMessage(), e);
    }
    return accp;
  }
}
