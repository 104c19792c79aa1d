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
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Builds server contexts to a {@link TlsPolicy}: a Netty {@link SslContext} on BoringSSL (or the
 * JDK), or a plain {@link SSLContext}. Start from {@link TlsContexts#server}.
 */
public final class TlsServerContextBuilder {
  /** id-pe-authorityInfoAccess (1.3.6.1.5.5.7.1.1). */
  private static final String AUTHORITY_INFO_ACCESS = "1.3.6.1.5.5.7.1.1";

  /** The DER body of id-ad-ocsp (1.3.6.1.5.5.7.48.1). */
  private static final byte[] ID_AD_OCSP = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01};

  private final TlsCredentials credentials;
  private TlsPolicy policy = TlsPolicy.defaults();
  private TlsProvider provider = TlsProvider.preferred();
  private PeerVerification clientVerification;
  private Supplier<byte[]> ocspResponse;

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
   * Staples the DER OCSP response {@code response} gives (asked on every handshake, so a refreshed
   * response is used at once; null staples nothing) when the leaf certificate names an OCSP
   * responder. BoringSSL only: the JDK server fetches its own responses and is not driven here.
   */
  public TlsServerContextBuilder ocspStapling(Supplier<byte[]> response) {
    this.ocspResponse = Objects.requireNonNull(response, "response");
    return this;
  }

  /**
   * A Netty context for {@code SslHandler}s; its handlers carry the policy's handshake timeout.
   *
   * @throws com.plugsky.crypto.EngineUnavailableException when BoringSSL was asked for and does
   *     not load
   * @throws ConfigurationException when the policy or credentials cannot run on the provider
   */
  public PolicyNettyContext buildNetty() {
    boolean requireClientAuth = clientVerification != null;
    if (provider == TlsProvider.JDK) {
      requireNoHsmKey();
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
      return new PolicyNettyContext(context, provider, policy.handshakeTimeout(), null);
    }
    SslContextBuilder builder =
        Netty.boringSsl(SslContextBuilder.forServer(credentials.keyManager()), policy)
            .clientAuth(requireClientAuth ? ClientAuth.REQUIRE : ClientAuth.NONE);
    if (requireClientAuth) {
      builder.trustManager(clientVerification.trustManager());
    }
    if (credentials instanceof HsmServerKey hsmKey) {
      builder.option(OpenSslContextOption.PRIVATE_KEY_METHOD, hsmKey.privateKeyMethod());
    }
    boolean stapling =
        ocspResponse != null
            && namesOcspResponder(credentials.keyManager().getCertificateChain(leafAlias()));
    builder.enableOcsp(stapling);
    try {
      SslContext context = builder.build();
      // Netty turns tickets off; TLS 1.3 resumes only with them. No keys given: BoringSSL makes
      // and rotates its own, per process.
      ((OpenSslSessionContext) context.sessionContext()).setTicketKeys();
      return new PolicyNettyContext(
          context, provider, policy.handshakeTimeout(), stapling ? ocspResponse : null);
    } catch (SSLException e) {
      throw new ConfigurationException("BoringSSL refused the server context: " + e.getMessage(), e);
    }
  }

  /**
   * A plain JDK {@link SSLContext} whose server sockets and engines follow the policy, for code that
   * is not Netty.
   */
  public SSLContext buildJdk() {
    requireNoHsmKey();
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

  private String leafAlias() {
    String alias = credentials.keyManager().chooseServerAlias("EC", null, null);
    return alias != null ? alias : credentials.keyManager().chooseServerAlias("RSA", null, null);
  }

  private static boolean namesOcspResponder(X509Certificate[] chain) {
    if (chain == null || chain.length == 0) {
      return false;
    }
    byte[] extension = chain[0].getExtensionValue(AUTHORITY_INFO_ACCESS);
    if (extension == null) {
      return false;
    }
    for (int i = 0; i + ID_AD_OCSP.length <= extension.length; i++) {
      if (Arrays.equals(
          extension, i, i + ID_AD_OCSP.length, ID_AD_OCSP, 0, ID_AD_OCSP.length)) {
        return true;
      }
    }
    return false;
  }
}
