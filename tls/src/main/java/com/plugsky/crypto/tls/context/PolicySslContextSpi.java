package com.plugsky.crypto.tls.context;

import com.plugsky.crypto.tls.policy.NamedGroup;
import com.plugsky.crypto.tls.policy.TlsPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * A JDK {@link SSLContext} whose every engine, socket and server socket starts out with the policy
 * applied (TLS 1.3 only, the suites in order, the groups, ALPN, client authentication), so code
 * that knows nothing of this library still gets it.
 */
final class PolicySslContextSpi extends SSLContextSpi {
  private final SSLContext delegate;
  private final SSLParameters parameters;

  private PolicySslContextSpi(SSLContext delegate, SSLParameters parameters) {
    this.delegate = delegate;
    this.parameters = parameters;
  }

  static SSLContext wrap(
      SSLContext delegate, TlsPolicy policy, boolean client, boolean requireClientAuth,
      boolean verifyHostname) {
    SSLParameters parameters = new SSLParameters();
    parameters.setProtocols(new String[] {TlsPolicy.TLS_1_3});
    parameters.setCipherSuites(policy.cipherSuiteNames().toArray(String[]::new));
    parameters.setUseCipherSuitesOrder(true);
    parameters.setNamedGroups(policy.groups().stream().map(NamedGroup::jdkName).toArray(String[]::new));
    parameters.setApplicationProtocols(policy.applicationProtocols().toArray(String[]::new));
    if (client && verifyHostname) {
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    }
    if (!client) {
      parameters.setNeedClientAuth(requireClientAuth);
    }
    delegate.getClientSessionContext().setSessionTimeout((int) policy.sessionTimeout().toSeconds());
    delegate.getServerSessionContext().setSessionTimeout((int) policy.sessionTimeout().toSeconds());
    delegate.getClientSessionContext().setSessionCacheSize(policy.sessionCacheSize());
    delegate.getServerSessionContext().setSessionCacheSize(policy.sessionCacheSize());
    return new PolicySslContext(new PolicySslContextSpi(delegate, parameters), delegate);
  }

  private SSLParameters fresh() {
    SSLParameters copy = new SSLParameters();
    copy.setProtocols(parameters.getProtocols());
    copy.setCipherSuites(parameters.getCipherSuites());
    copy.setUseCipherSuitesOrder(true);
    copy.setNamedGroups(parameters.getNamedGroups());
    copy.setApplicationProtocols(parameters.getApplicationProtocols());
    copy.setEndpointIdentificationAlgorithm(parameters.getEndpointIdentificationAlgorithm());
    if (parameters.getNeedClientAuth()) {
      copy.setNeedClientAuth(true);
    }
    return copy;
  }

  private <T extends SSLEngine> T configure(T engine) {
    engine.setSSLParameters(fresh());
    return engine;
  }

  private SSLSocket configure(Socket socket) {
    SSLSocket ssl = (SSLSocket) socket;
    ssl.setSSLParameters(fresh());
    return ssl;
  }

  @Override
  protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom random)
      throws KeyManagementException {
    throw new KeyManagementException("a policy context is initialised by its builder");
  }

  @Override
  protected SSLSocketFactory engineGetSocketFactory() {
    return new PolicySocketFactory(delegate.getSocketFactory());
  }

  @Override
  protected SSLServerSocketFactory engineGetServerSocketFactory() {
    return new PolicyServerSocketFactory(delegate.getServerSocketFactory());
  }

  @Override
  protected SSLEngine engineCreateSSLEngine() {
    return configure(delegate.createSSLEngine());
  }

  @Override
  protected SSLEngine engineCreateSSLEngine(String host, int port) {
    return configure(delegate.createSSLEngine(host, port));
  }

  @Override
  protected SSLSessionContext engineGetServerSessionContext() {
    return delegate.getServerSessionContext();
  }

  @Override
  protected SSLSessionContext engineGetClientSessionContext() {
    return delegate.getClientSessionContext();
  }

  @Override
  protected SSLParameters engineGetDefaultSSLParameters() {
    return fresh();
  }

  @Override
  protected SSLParameters engineGetSupportedSSLParameters() {
    return delegate.getSupportedSSLParameters();
  }

  /** Exposes the protected constructor. */
  private static final class PolicySslContext extends SSLContext {
    PolicySslContext(SSLContextSpi spi, SSLContext delegate) {
      super(spi, delegate.getProvider(), TlsPolicy.TLS_1_3);
    }
  }

  private final class PolicySocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory factory;

    PolicySocketFactory(SSLSocketFactory factory) {
      this.factory = factory;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return parameters.getCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return factory.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose)
        throws IOException {
      return configure(factory.createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose)
        throws IOException {
      return configure(factory.createSocket(socket, consumed, autoClose));
    }

    @Override
    public Socket createSocket() throws IOException {
      return configure(factory.createSocket());
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return configure(factory.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return configure(factory.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return configure(factory.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return configure(factory.createSocket(address, port, localAddress, localPort));
    }
  }

  private final class PolicyServerSocketFactory extends SSLServerSocketFactory {
    private final SSLServerSocketFactory factory;

    PolicyServerSocketFactory(SSLServerSocketFactory factory) {
      this.factory = factory;
    }

    private ServerSocket configure(ServerSocket socket) {
      ((SSLServerSocket) socket).setSSLParameters(fresh());
      return socket;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return parameters.getCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return factory.getSupportedCipherSuites();
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
      return configure(factory.createServerSocket());
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      return configure(factory.createServerSocket(port));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      return configure(factory.createServerSocket(port, backlog));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress)
        throws IOException {
      return configure(factory.createServerSocket(port, backlog, bindAddress));
    }
  }
}
