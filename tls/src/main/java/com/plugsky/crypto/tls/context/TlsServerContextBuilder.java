package com.plugsky.crypto.tls.context;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.tls.hsm.HsmServerKey;
import com.plugsky.crypto.tls.keys.TlsCredentials;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.policy.TlsPolicy;
import com.plugsky.crypto.tls.policy.TlsProvider;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Builds server contexts to a {@link TlsPolicy}: a Netty {@link SslContext} on BoringSSL (or the
 * JDK), or a plain {@link SSLContext}. Start from {@link TlsContexts#server}.
 */
public final class TlsServerContextBuilder {
  private final TlsCredentials credentials;
  private TlsPolicy policy = TlsPolicy.defaults();
  private TlsProvider provider = TlsProvider.preferred();
  private PeerVerification clientVerification;
  private Function<X509Certificate, byte[]> ocspResponses;

  TlsServerContextBuilder(TlsCredentials credentials) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
  }

  public TlsServerContextBuilder policy(TlsPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /** BoringSSL by default when it loads ({@link TlsProvider#preferred()}). */
  public TlsServerContextBuilder provider(TlsProvider provider) {
    this.provider = Objects.requireNonNull(provider, "provider");
    return this;
  }

  /** mTLS: every client must present a certificate that {@code verification} accepts. */
  public TlsServerContextBuilder requireClientCertificates(PeerVerification verification) {
    this.clientVerification = Objects.requireNonNull(verification, "verification");
    return this;
  }

  /**
   * Staples the DER OCSP response {@code responses} gives for the leaf certificate a handshake is
   * about to present, when that leaf names an OCSP responder (null staples nothing). Asked on every
   * full handshake, from BoringSSL's certificate callback, so a refreshed response or a reloaded
   * certificate ({@link com.plugsky.crypto.tls.keys.ReloadingCredentials}) is used at once and a
   * response always goes with the leaf it was asked for. BoringSSL only: a JDK context with it is
   * refused, as SunJSSE takes no response from here (it fetches its own when configured to).
   */
  public TlsServerContextBuilder ocspStapling(Function<X509Certificate, byte[]> responses) {
    this.ocspResponses = Objects.requireNonNull(responses, "responses");
    return this;
  }

  /**
   * A Netty context for {@code SslHandler}s; its handlers carry the policy's handshake timeout.
   *
   * @throws com.plugsky.crypto.EngineUnavailableException when BoringSSL was asked for and does not
   *     load
   * @throws ConfigurationException when the policy or credentials cannot run on the provider
   */
  public PolicyNettyContext buildNetty() {
    boolean requireClientAuth = clientVerification != null;
    if (provider == TlsProvider.JDK) {
      SSLContext jdk = buildJdk();
      SslContext context =
          new JdkSslContext(
              jdk,
              false,
              policy.cipherSuiteNames(),
              IdentityCipherSuiteFilter.INSTANCE,
              Netty.alpn(policy),
              requireClientAuth ? ClientAuth.REQUIRE : ClientAuth.NONE,
              new String[] {TlsPolicy.TLS_1_3},
              false);
      return new PolicyNettyContext(context, provider, policy.handshakeTimeout());
    }
    X509ExtendedKeyManager keyManager =
        ocspResponses == null
            ? credentials.keyManager()
            : new StaplingKeyManager(credentials.keyManager(), ocspResponses);
    SslContextBuilder builder =
        Netty.boringSsl(SslContextBuilder.forServer(keyManager), policy)
            .clientAuth(requireClientAuth ? ClientAuth.REQUIRE : ClientAuth.NONE);
    if (requireClientAuth) {
      builder.trustManager(clientVerification.trustManager());
    }
    if (credentials instanceof HsmServerKey hsmKey) {
      builder.option(OpenSslContextOption.PRIVATE_KEY_METHOD, hsmKey.privateKeyMethod());
    }
    builder.enableOcsp(ocspResponses != null);
    try {
      SslContext context = builder.build();
      // Netty turns tickets off; TLS 1.3 resumes only with them. No keys given: BoringSSL makes
      // and rotates its own, per process.
      ((OpenSslSessionContext) context.sessionContext()).setTicketKeys();
      return new PolicyNettyContext(context, provider, policy.handshakeTimeout());
    } catch (SSLException e) {
      throw new ConfigurationException(
          "BoringSSL refused the server context: " + e.getMessage(), e);
    }
  }

  /**
   * A plain JDK {@link SSLContext} whose server sockets and engines follow the policy, for code
   * that is not Netty.
   */
  public SSLContext buildJdk() {
    requireNoHsmKey();
    if (ocspResponses != null) {
      throw new ConfigurationException(
          "OCSP stapling through ocspStapling(...) runs on BoringSSL only; the JDK provider takes"
              + " no response from here (drop it, or use BoringSSL: check"
              + " BoringSsl.unavailabilityCause())");
    }
    return Netty.jdk(
        policy,
        credentials.keyManager(),
        clientVerification == null ? null : clientVerification.trustManager(),
        false,
        clientVerification != null,
        false);
  }

  private void requireNoHsmKey() {
    if (credentials instanceof HsmServerKey) {
      throw new ConfigurationException(
          "an HSM-held key signs through BoringSSL's private key method; the JDK provider cannot"
              + " use it (check BoringSsl.unavailabilityCause())");
    }
  }
}
