package com.plugsky.crypto.tls.context;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.EngineUnavailableException;
import com.plugsky.crypto.tls.policy.BoringSsl;
import com.plugsky.crypto.tls.policy.NamedGroup;
import com.plugsky.crypto.tls.policy.TlsPolicy;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/** What the server and client builders share. */
final class Netty {
  private Netty() {}

  static ApplicationProtocolConfig alpn(TlsPolicy policy) {
    return new ApplicationProtocolConfig(
        Protocol.ALPN,
        SelectorFailureBehavior.NO_ADVERTISE,
        SelectedListenerFailureBehavior.ACCEPT,
        policy.applicationProtocols());
  }

  /** The policy's parts common to both sides of a BoringSSL context. */
  static SslContextBuilder boringSsl(SslContextBuilder builder, TlsPolicy policy) {
    requireBoringSsl();
    return builder
        .sslProvider(SslProvider.OPENSSL)
        .protocols(TlsPolicy.TLS_1_3)
        .ciphers(policy.cipherSuiteNames())
        .applicationProtocolConfig(alpn(policy))
        .sessionCacheSize(policy.sessionCacheSize())
        .sessionTimeout(policy.sessionTimeout().toSeconds())
        .option(
            OpenSslContextOption.GROUPS,
            policy.groups().stream().map(NamedGroup::boringSslName).toArray(String[]::new));
  }

  static void requireBoringSsl() {
    if (!BoringSsl.isAvailable()) {
      throw new EngineUnavailableException(
          "BoringSSL (netty-tcnative-boringssl-static) is unavailable here; use TlsProvider.JDK",
          BoringSsl.unavailabilityCause().orElse(null));
    }
  }

  /** A SunJSSE context with the policy on every engine and socket it creates. */
  static SSLContext jdk(
      TlsPolicy policy,
      KeyManager keyManager,
      TrustManager trustManager,
      boolean client,
      boolean requireClientAuth,
      boolean verifyHostname) {
    for (NamedGroup group : policy.groups()) {
      if (!group.onJdk()) {
        throw new ConfigurationException(
            "the JDK provider has no "
                + group
                + " key exchange; drop it from the policy's groups or use BoringSSL");
      }
    }
    try {
      SSLContext context = SSLContext.getInstance(TlsPolicy.TLS_1_3, "SunJSSE");
      context.init(
          keyManager == null ? null : new KeyManager[] {keyManager},
          trustManager == null ? null : new TrustManager[] {trustManager},
          new SecureRandom());
      return PolicySslContextSpi.wrap(context, policy, client, requireClientAuth, verifyHostname);
    } catch (GeneralSecurityException e) {
      throw new EngineUnavailableException("the JDK's SunJSSE cannot make a TLS 1.3 context", e);
    }
  }
}
