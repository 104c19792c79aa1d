package com.plugsky.crypto.kms.gcp;

import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrapperProvider;

/**
 * Registers {@link GcpKmsKeyWrapper} for {@code gcp-kms:} KeyRefs with {@link
 * java.util.ServiceLoader}: Cloud KMS's default endpoint with Google application default
 * credentials ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud, or the metadata server).
 */
public final class GcpKmsKeyWrapperProvider implements KeyWrapperProvider {

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.GCP_KMS;
  }

  @Override
  public KeyWrapper create(AuditSink auditSink) {
    return GcpKmsKeyWrapper.builder().auditSink(auditSink).build();
  }
}
