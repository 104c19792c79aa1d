package com.plugsky.crypto.tls.hsm;

import com.plugsky.crypto.EngineUnavailableException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.tls.keys.IdentityKeyManager;
import com.plugsky.crypto.tls.keys.TlsCredentials;
import com.plugsky.crypto.tls.policy.BoringSsl;
import io.netty.handler.ssl.OpenSslPrivateKeyMethod;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server certificate whose private key stays in an HSM: BoringSSL hands every handshake signature
 * to {@link #privateKeyMethod()}, which signs inside the token through the pkcs11 module. The key
 * manager offers the chain with no private key at all. BoringSSL only (the server context builder
 * refuses it on the JDK provider).
 *
 * <p>Signing runs on the thread that drives the handshake (the event loop, unless the handler was
 * made with a delegated-task executor), so an HSM's latency is the handshake's.
 */
public final class HsmServerKey implements TlsCredentials {
  private final IdentityKeyManager keyManager;
  private final OpenSslPrivateKeyMethod privateKeyMethod;

  private HsmServerKey(Hsm hsm, HsmKey key, List<X509Certificate> chain) {
    this.keyManager = new IdentityKeyManager(chain, null);
    this.privateKeyMethod = new HsmPrivateKeyMethod(hsm, key);
  }

  /**
   * The HSM key pair {@code key} with its certificate chain (leaf first).
   *
   * @throws InvalidInputException when the leaf certificate is not for the HSM key's public half
   * @throws EngineUnavailableException when BoringSSL, which alone can sign through the HSM, does
   *     not load
   */
  public static HsmServerKey of(Hsm hsm, HsmKey key, List<X509Certificate> chain) {
    if (!BoringSsl.isAvailable()) {
      throw new EngineUnavailableException(
          "an HSM-held TLS key needs BoringSSL (netty-tcnative-boringssl-static), unavailable here",
          BoringSsl.unavailabilityCause().orElse(null));
    }
    Objects.requireNonNull(hsm, "hsm");
    Objects.requireNonNull(key, "key");
    List<X509Certificate> copy = List.copyOf(chain);
    if (copy.isEmpty()) {
      throw new InvalidInputException("a certificate chain needs at least the leaf certificate");
    }
    PublicKey inToken = hsm.publicKey(key);
    if (!Arrays.equals(inToken.getEncoded(), copy.getFirst().getPublicKey().getEncoded())) {
      throw new InvalidInputException(
          "the leaf certificate "
              + copy.getFirst().getSubjectX500Principal().getName()
              + " is not for the HSM key "
              + key);
    }
    return new HsmServerKey(hsm, key, copy);
  }

  @Override
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /** What BoringSSL calls to sign; pass as {@code OpenSslContextOption.PRIVATE_KEY_METHOD}. */
  public OpenSslPrivateKeyMethod privateKeyMethod() {
    return privateKeyMethod;
  }
}
