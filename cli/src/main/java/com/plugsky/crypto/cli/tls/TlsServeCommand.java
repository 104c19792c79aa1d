package com.plugsky.crypto.cli.tls;

import com.plugsky.crypto.EngineUnavailableException;
import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.PinSource;
import com.plugsky.crypto.tls.context.TlsContexts;
import com.plugsky.crypto.tls.context.TlsServerContextBuilder;
import com.plugsky.crypto.tls.hsm.HsmServerKey;
import com.plugsky.crypto.tls.hsts.Hsts;
import com.plugsky.crypto.tls.keys.CertifiedKey;
import com.plugsky.crypto.tls.keys.ReloadingCredentials;
import com.plugsky.crypto.tls.keys.TlsCredentials;
import com.plugsky.crypto.tls.keys.TrustAnchors;
import com.plugsky.crypto.tls.mtls.PeerVerification;
import com.plugsky.crypto.tls.policy.BoringSsl;
import com.plugsky.crypto.tls.policy.TlsProvider;
import com.plugsky.crypto.tls.server.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves HTTPS with the tls module's policy until interrupted: TLS 1.3 only (BoringSSL, or"
          + " the JDK with --provider jdk), HTTP/2 or HTTP/1.1 by ALPN, the HSTS header on every"
          + " response; optional mTLS; the server key in PEM files (reloaded when they change) or"
          + " held in a PKCS#11 token.",
      "Binds 127.0.0.1 unless --bind says otherwise. Prints the URL it serves on standard output."
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  plugsky-crypto tls serve --cert server.crt --key server.key --port 8443",
      "  curl --tlsv1.3 --cacert ca.crt https://localhost:8443/",
      "  plugsky-crypto tls serve --cert server.crt --key server.key --client-ca clients.pem \\",
      "      --pin-san spiffe://example.org/ns/prod/sa/orders",
      "  plugsky-crypto tls serve --cert web.crt --hsm-module /usr/lib/softhsm/libsofthsm2.so \\",
      "      --hsm-token web --hsm-key web --pin-source env:HSM_PIN",
      "",
      "Exit codes: 0 stopped, 1 failure while serving, 2 usage, 3 TLS provider or HSM unavailable."
    })
public final class TlsServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--cert", required = true, paramLabel = "FILE", description = "PEM certificate chain, leaf first.")
  Path certificate;

  @ArgGroup(exclusive = true, multiplicity = "1")
  KeySource keySource;

  static final class KeySource {
    @Option(names = "--key", paramLabel = "FILE", description = "PEM (PKCS#8) private key; reloaded with the chain when either changes.")
    Path keyFile;

    @ArgGroup(exclusive = false)
    HsmKeyOptions hsm;
  }

  static final class HsmKeyOptions {
    @Option(names = "--hsm-module", required = true, paramLabel = "PATH", description = "PKCS#11 library holding the key.")
    Path module;

    @Option(names = "--hsm-token", required = true, paramLabel = "LABEL", description = "Token label.")
    String token;

    @Option(names = "--hsm-key", required = true, paramLabel = "LABEL", description = "Label of the key pair (EC P-256/P-384 or RSA).")
    String key;

    @Option(
        names = "--pin-source",
        paramLabel = "SOURCE",
        description = "env:NAME or file:/path with the user PIN (default env:PLUGSKY_PKCS11_PIN).")
    String pinSource = "env:PLUGSKY_PKCS11_PIN";
  }

  @Option(names = "--port", defaultValue = "8443", description = "TCP port; 0 picks a free one (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS", description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String bind;

  @Option(names = "--provider", paramLabel = "NAME", description = "boringssl or jdk (default: boringssl when it loads).")
  String provider;

  @Option(names = "--client-ca", paramLabel = "FILE", description = "Require client certificates issued by these PEM CAs (mTLS).")
  Path clientCa;

  @Option(names = "--pin-san", paramLabel = "URI", description = "With --client-ca: accept only client certificates with this URI SAN (repeatable).")
  List<String> pinnedSans = new ArrayList<>();

  @Option(
      names = "--hsts-max-age",
      defaultValue = "63072000",
      paramLabel = "SECONDS",
      description = "max-age of Strict-Transport-Security, sent with includeSubDomains and preload (default ${DEFAULT-VALUE}).")
  long hstsMaxAge;

  @Override
  public Integer call() throws Exception {
    TlsProvider chosen = chosenProvider();
    Hsts hsts = Hsts.preload(Duration.ofSeconds(hstsMaxAge), true);
    try (Resources resources = new Resources()) {
      TlsServerContextBuilder context = TlsContexts.server(credentials(resources)).provider(chosen);
      if (clientCa != null) {
        PeerVerification.Builder verification = PeerVerification.builder(TrustAnchors.fromPem(clientCa));
        verification.pinUriSans(pinnedSans);
        context.requireClientCertificates(verification.build());
      } else if (!pinnedSans.isEmpty()) {
        throw new UserError("--pin-san needs --client-ca");
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (HttpsServer server =
          HttpsServer.builder(context.buildNetty())
              .address(InetAddress.getByName(bind))
              .port(port)
              .hsts(hsts)
              .onHandshakeFailure(failure -> err.println("handshake refused: " + failure.reason()))
              .build()
              .start()) {
        out.println("serving https://" + bind + ":" + server.port() + "/ (TLS 1.3, " + chosen.name().toLowerCase(Locale.ROOT)
            + (clientCa != null ? ", client certificates required" : "") + "; Ctrl-C stops)");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
        stopped.await();
      }
    }
    return ExitCodes.OK;
  }

  private TlsProvider chosenProvider() {
    if (provider == null) {
      return TlsProvider.preferred();
    }
    TlsProvider named;
    try {
      named = TlsProvider.valueOf(provider.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UserError("unknown provider '" + provider + "': boringssl or jdk");
    }
    if (named == TlsProvider.BORINGSSL && !BoringSsl.isAvailable()) {
      throw new EngineUnavailableException(
          "BoringSSL (netty-tcnative) is unavailable", BoringSsl.unavailabilityCause().orElse(null));
    }
    return named;
  }

  private TlsCredentials credentials(Resources resources) throws IOException, GeneralSecurityException {
    if (keySource.keyFile != null) {
      CertifiedKey.fromPem(certificate, keySource.keyFile);
      ReloadingCredentials reloading =
          ReloadingCredentials.watchPem(
              certificate,
              keySource.keyFile,
              Duration.ofSeconds(2),
              failure -> spec.commandLine().getErr().println("certificate reload refused: " + failure.getMessage()));
      resources.add(reloading);
      return reloading;
    }
    HsmKeyOptions options = keySource.hsm;
    Hsm hsm =
        Hsm.open(
            HsmConfig.builder(options.module)
                .tokenLabel(options.token)
                .pinSource(PinSource.fromUri(options.pinSource))
                .build());
    resources.add(hsm);
    return HsmServerKey.of(hsm, HsmKey.label(options.key), chain(certificate));
  }

  private static List<X509Certificate> chain(Path file) throws IOException, GeneralSecurityException {
    if (!Files.isRegularFile(file)) {
      throw new UserError("no certificate file " + file);
    }
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> chain = new ArrayList<>();
      CertificateFactory.getInstance("X.509").generateCertificates(in).forEach(c -> chain.add((X509Certificate) c));
      if (chain.isEmpty()) {
        throw new UserError("no certificate in " + file);
      }
      return chain;
    }
  }

  /** What the server holds open (an HSM session, a file watcher), closed when it stops. */
  private static final class Resources implements AutoCloseable {
    private final List<AutoCloseable> held = new ArrayList<>();

    void add(AutoCloseable resource) {
      held.add(resource);
    }

    @Override
    public void close() throws Exception {
      for (AutoCloseable resource : held.reversed()) {
        resource.close();
      }
    }
  }
}
