/**
 * Azure Key Vault and Managed HSM as a key wrapper for {@code azure-kv:} KeyRefs: {@link
 * com.plugsky.crypto.kms.azure.AzureKeyVaultKeyWrapper}, found through {@link
 * com.plugsky.crypto.kms.azure.AzureKeyVaultKeyWrapperProvider}.
 */
package com.plugsky.crypto.kms.azure;
