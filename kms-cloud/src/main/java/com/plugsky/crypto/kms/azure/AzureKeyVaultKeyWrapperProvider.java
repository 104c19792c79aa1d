package com.plugsky.crypto.kms.azure;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrapperProvider;
import java.util.Arrays;

/**
 * Registers {@link AzureKeyVaultKeyWrapper} for {@code azure-kv:} KeyRefs with {@link
 * java.util.ServiceLoader}: credentials from {@code DefaultAzureCredential}, default retries, and
 * the wrap algorithm from {@value AzureKeyVaultKeyWrapper#ALGORITHM_PROPERTY} ({@code RSA-OAEP-256}
 * when unset, {@code A256KW} for Managed HSM oct-HSM keys).
 */
public final class AzureKeyVaultKeyWrapperProvider implements KeyWrapperProvider {

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.AZURE_KV;
  }

  @Override
  public KeyWrapper create(AuditSink auditSink) {
    AzureKeyVaultKeyWrapper.Builder builder =
        AzureKeyVaultKeyWrapper.builder().auditSink(auditSink);
    String algorithm = System.getProperty(AzureKeyVaultKeyWrapper.ALGORITHM_PROPERTY);
    if (algorithm != null && !algorithm.isBlank()) {
      builder.algorithm(
          KeyVaultWrapAlgorithm.parse(algorithm.strip())
              .orElseThrow(
                  () ->
                      new ConfigurationException(
                          AzureKeyVaultKeyWrapper.ALGORITHM_PROPERTY
                              + " must be one of "
                              + Arrays.stream(KeyVaultWrapAlgorithm.values())
                                  .map(KeyVaultWrapAlgorithm::joseName)
                                  .toList())));
    }
    return builder.build();
  }
}
