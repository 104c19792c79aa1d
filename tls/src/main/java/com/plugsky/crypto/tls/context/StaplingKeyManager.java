package com.plugsky.crypto.tls.context;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Staples the OCSP response for the very leaf a BoringSSL server is about to present. Netty asks
 * the key manager for the server's alias from BoringSSL's certificate callback, with the engine at
 * hand, so the response is picked for the same identity as the chain: after a hot reload the new
 * leaf never goes out with the old leaf's response.
 */
final class StaplingKeyManager extends X509ExtendedKeyManager {
  /** id-pe-authorityInfoAccess (1.3.6.1.5.5.7.1.1). */
  private static final String AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";

  /** The DER body of id-ad-ocsp (1.3.6.1.5.5.7.48.1). */
  private static final byte[] ID_AD_OCSP = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01};

  private final X509ExtendedKeyManager identities;
  private final Function<X509Certificate, byte[]> responses;

  StaplingKeyManager(
      X509ExtendedKeyManager identities, Function<X509Certificate, byte[]> responses) {
    this.identities = identities;
    this.responses = responses;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    String alias = identities.chooseEngineServerAlias(keyType, issuers, engine);
    if (alias != null && engine instanceof ReferenceCountedOpenSslEngine openSsl) {
      X509Certificate[] chain = identities.getCertificateChain(alias);
      if (chain != null && chain.length > 0 && namesOcspResponder(chain[0])) {
        byte[] response = responses.apply(chain[0]);
        if (response != null) {
          openSsl.setOcspResponse(response);
        }
      }
    }
    return alias;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return identities.chooseServerAlias(keyType, issuers, socket);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return identities.getServerAliases(keyType, issuers);
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return identities.chooseClientAlias(keyTypes, issuers, socket);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return identities.chooseEngineClientAlias(keyTypes, issuers, engine);
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return identities.getClientAliases(keyType, issuers);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return identities.getCertificateChain(alias);
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return identities.getPrivateKey(alias);
  }

  private static boolean namesOcspResponder(X509Certificate leaf) {
    byte[] extension = leaf.getExtensionValue(AUTHORITY_INFO_ACCESS);
    if (extension == null) {
      return false;
    }
    for (int i = 0; i + ID_AD_OCSP.length <= extension.length; i++) {
      if (Arrays.equals(extension, i, i + ID_AD_OCSP.length, ID_AD_OCSP, 0, ID_AD_OCSP.length)) {
        return true;
      }
    }
    return false;
  }
}
