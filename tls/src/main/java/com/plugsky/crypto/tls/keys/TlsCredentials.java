package com.plugsky.crypto.tls.keys;

import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A certificate chain and the means to sign with its key, as a key manager both TLS providers
 * consult on every handshake: {@link CertifiedKey} (fixed), {@link ReloadingCredentials} (files
 * reloaded when they change), or an HSM-held key ({@code com.plugsky.crypto.tls.hsm}).
 */
public interface TlsCredentials {
  /** The key manager a context takes its certificate and key from. */
  X509ExtendedKeyManager keyManager();
}
