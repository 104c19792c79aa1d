package com.plugsky.crypto.tls.context;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.tls.keys.TlsCredentials;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.policy.TlsPolicy;
import com.plugsky.crypto.tls.policy.TlsProvider;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Builds client contexts to a {@link TlsPolicy}. Server certificates are checked against the
 * configured trust (with host name verification on by default: create handlers with the peer's
 * host, which also keys session resumption); {@link #clientCertificate} sends one for mTLS.
 */
public final class TlsClientContextBuilder {
  private final PeerVerification serverVerification;
  private TlsPolicy policy = TlsPolicy.defaults();
  private TlsProvider provider = TlsProvider.preferred();
  private TlsCredentials clientCertificate;
  private boolean verifyHostname = true;

  TlsClientContextBuilder(PeerVerification serverVerification) {
    this.serverVerification = Objects.requireNonNull(serverVerification, "serverVerification");
  }

  public TlsClientContextBuilder policy(TlsPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  public TlsClientContextBuilder provider(TlsProvider provider) {
    this.provider = Objects.requireNonNull(provider, "provider");
    return this;
  }

  /** The certificate and key to present when a server asks (mTLS). */
  public TlsClientContextBuilder clientCertificate(TlsCredentials credentials) {
    this.clientCertificate = Objects.requireNonNull(credentials, "credentials");
    return this;
  }

  /**
   * Whether the server certificate must name the host given to {@code newHandler}/{@code
   * createSSLEngine} (RFC 6125). On by default; turn off only where pins identify the server.
   */
  public TlsClientContextBuilder verifyHostname(boolean verifyHostname) {
    this.verifyHostname = verifyHostname;
    return this;
  }

  public PolicyNettyContext buildNetty() {
    if (provider == TlsProvider.JDK) {
      SslContext context =
          new JdkSslContext(
              buildJdk(),
              true,
              policy.cipherSuiteNames(),
              IdentityCipherSuiteFilter.INSTANCE,
              Netty.alpn(policy),
              ClientAuth.NONE,
              new String[] {TlsPolicy.TLS_1_3},
              false);
      return new PolicyNettyContext(context, provider, policy.handshakeTimeout());
    }
    SslContextBuilder builder =
        Netty.boringSsl(SslContextBuilder.forClient(), policy)
            .trustManager(serverVerification.trustManager())
            .endpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null);
    if (clientCertificate != null) {
      builder.keyManager(clientCertificate.keyManager());
    }
    try {
      return new PolicyNettyContext(builder.build(), provider, policy.handshakeTimeout());
    } catch (SSLException e) {
      throw new ConfigurationException(
          "BoringSSL refused the client context: " + e.getMessage(), e);
    }
  }

  /** A plain JDK {@link SSLContext} whose sockets and engines follow the policy. */
  public SSLContext buildJdk() {
    return Netty.jdk(
        policy,
        clientCertificate == null ? null : clientCertificate.keyManager(),
        serverVerification.trustManager(),
        true,
        false,
        verifyHostname);
  }
}
