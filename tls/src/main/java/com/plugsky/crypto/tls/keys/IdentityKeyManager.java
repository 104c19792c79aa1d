package com.plugsky.crypto.tls.keys;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Offers one identity at a time, which {@link #replace} swaps atomically. Each identity gets its own
 * alias, and the previous one stays readable, so a handshake that chose an alias just before a swap
 * still reads a matching chain and key. Providers call this on every handshake, so reads are two
 * volatile loads.
 */
public final class IdentityKeyManager extends X509ExtendedKeyManager {
  private static final AtomicLong GENERATIONS = new AtomicLong();

  private volatile Identity current;
  private volatile Identity previous;

  /**
   * @param privateKey null when the key is held elsewhere (an HSM signing through BoringSSL's
   *     private key method)
   */
  public IdentityKeyManager(List<X509Certificate> chain, PrivateKey privateKey) {
    this.current = Identity.of(chain, privateKey);
  }

  /** New handshakes get this identity; handshakes under way finish with the one they chose. */
  public void replace(List<X509Certificate> chain, PrivateKey privateKey) {
    Identity next = Identity.of(chain, privateKey);
    previous = current;
    current = next;
  }

  /** The leaf certificate new handshakes present. */
  public X509Certificate leaf() {
    return current.chain[0];
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return current.aliasFor(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return current.aliasFor(keyType);
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return firstAlias(keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return firstAlias(keyTypes);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = current.aliasFor(keyType);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return getServerAliases(keyType, issuers);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Identity identity = byAlias(alias);
    return identity == null ? null : identity.chain.clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Identity identity = byAlias(alias);
    return identity == null ? null : identity.privateKey;
  }

  private String firstAlias(String[] keyTypes) {
    Identity identity = current;
    if (keyTypes == null) {
      return null;
    }
    for (String keyType : keyTypes) {
      String alias = identity.aliasFor(keyType);
      if (alias != null) {
        return alias;
      }
    }
    return null;
  }

  private Identity byAlias(String alias) {
    Identity now = current;
    if (now.alias.equals(alias)) {
      return now;
    }
    Identity before = previous;
    return before != null && before.alias.equals(alias) ? before : null;
  }

  private record Identity(
      String alias, X509Certificate[] chain, PrivateKey privateKey, String keyAlgorithm) {
    static Identity of(List<X509Certificate> chain, PrivateKey privateKey) {
      X509Certificate[] certificates = chain.toArray(X509Certificate[]::new);
      return new Identity(
          "plugsky-" + GENERATIONS.incrementAndGet(),
          certificates,
          privateKey,
          certificates[0].getPublicKey().getAlgorithm());
    }

    String aliasFor(String keyType) {
      boolean matches =
          keyType != null
              && (keyType.equals(keyAlgorithm)
                  || (keyAlgorithm.equals("RSA") && keyType.equals("RSASSA-PSS"))
                  || (keyAlgorithm.equals("EC") && keyType.startsWith("EC_")));
      return matches ? alias : null;
    }
  }
}
