package com.plugsky.crypto.keywrap;

import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRefScheme;

/**
 * The {@link java.util.ServiceLoader} entry point of a key-wrapper module: list the implementing
 * class in {@code META-INF/services/com.plugsky.crypto.keywrap.KeyWrapperProvider}, and {@link
 * KeyWrappers} finds it by scheme. At most one provider per scheme may be on the classpath.
 */
public interface KeyWrapperProvider {

  /** The scheme whose KeyRefs the created wrappers serve. */
  KeyRefScheme scheme();

  /**
   * A wrapper configured from the environment (system properties, default credentials) that reports
   * every operation to {@code auditSink}.
   *
   * @throws com.plugsky.crypto.ConfigurationException when the environment cannot configure one
   */
  KeyWrapper create(AuditSink auditSink);
}
