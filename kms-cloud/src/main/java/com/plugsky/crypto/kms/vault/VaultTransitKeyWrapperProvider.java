package com.plugsky.crypto.kms.vault;

import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrapperProvider;

/**
 * Registers {@link VaultTransitKeyWrapper} for {@code vault-transit:} KeyRefs with {@link
 * java.util.ServiceLoader}, configured from the environment ({@link
 * VaultTransitKeyWrapper#fromEnvironment()}).
 */
public final class VaultTransitKeyWrapperProvider implements KeyWrapperProvider {

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.VAULT_TRANSIT;
  }

  @Override
  public KeyWrapper create(AuditSink auditSink) {
    return VaultTransitKeyWrapper.fromEnvironment().auditSink(auditSink).build();
  }
}
