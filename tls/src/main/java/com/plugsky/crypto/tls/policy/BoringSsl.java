package com.plugsky.crypto.tls.policy;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.Optional;

/**
 * Whether netty-tcnative's BoringSSL loaded, and why not. Netty's {@link OpenSsl} also accepts a
 * dynamically linked OpenSSL or AWS-LC; this library wants BoringSSL with TLS 1.3 and says so.
 */
public final class BoringSsl {
  private static final Throwable UNAVAILABILITY_CAUSE = findUnavailabilityCause();

  private BoringSsl() {}

  public static boolean isAvailable() {
    return UNAVAILABILITY_CAUSE == null;
  }

  /** Why BoringSSL cannot be used here, or empty when it can. */
  public static Optional<Throwable> unavailabilityCause() {
    return Optional.ofNullable(UNAVAILABILITY_CAUSE);
  }

  /** The loaded library's version string, e.g. {@code BoringSSL}, when available. */
  public static Optional<String> version() {
    return isAvailable() ? Optional.of(OpenSsl.versionString()) : Optional.empty();
  }

  private static Throwable findUnavailabilityCause() {
    Throwable cause;
    try {
      cause = OpenSsl.unavailabilityCause();
    } catch (LinkageError e) {
      return e;
    }
    if (cause != null) {
      return cause;
    }
    String version = OpenSsl.versionString();
    if (version == null || !version.contains("BoringSSL")) {
      return new UnsupportedOperationException(
          "netty-tcnative loaded " + version + ", not BoringSSL: add netty-tcnative-boringssl-static");
    }
    if (!SslProvider.isTlsv13Supported(SslProvider.OPENSSL)) {
      return new UnsupportedOperationException("the loaded BoringSSL has no TLS 1.3");
    }
    return null;
  }
}
