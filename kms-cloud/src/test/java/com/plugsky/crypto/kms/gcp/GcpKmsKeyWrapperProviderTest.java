package com.plugsky.crypto.kms.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapperProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class GcpKmsKeyWrapperProviderTest {

  /** Creating one would look for application default credentials, so only registration is shown. */
  @Test
  void serviceLoaderListsTheProviderForGcpKms() {
    assertThat(
            ServiceLoader.load(KeyWrapperProvider.class).stream().map(ServiceLoader.Provider::get))
        .anySatisfy(
            provider -> {
              assertThat(provider).isInstanceOf(GcpKmsKeyWrapperProvider.class);
              assertThat(provider.scheme()).isEqualTo(KeyRefScheme.GCP_KMS);
            });
  }
}
