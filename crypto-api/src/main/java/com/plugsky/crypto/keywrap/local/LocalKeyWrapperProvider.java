package com.plugsky.crypto.keywrap.local;

import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrapperProvider;

/**
 * Registers {@link LocalKeyWrapper} for {@code local:} KeyRefs with {@link
 * java.util.ServiceLoader}.
 */
public final class LocalKeyWrapperProvider implements KeyWrapperProvider {

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.LOCAL;
  }

  /** A wrapper on the default key directory ({@value LocalKeyWrapper#KEY_DIRECTORY_PROPERTY}). */
  @Override
  public KeyWrapper create(AuditSink auditSink) {
    return LocalKeyWrapper.builder().auditSink(auditSink).build();
  }
}
