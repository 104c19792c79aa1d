package com.plugsky.crypto.kms.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.CryptoRandom;
import org.junit.jupiter.api.Test;

/**
 * Against real Cloud KMS, only when {@code PLUGSKY_LIVE_GCP_KMS_KEY} is set to a symmetric key's
 * KeyRef ({@code gcp-kms:projects/.../cryptoKeys/k}); credentials are Google application default
 * credentials.
 */
class GcpKmsLiveTest {

  @Test
  void wrapsAndUnwrapsAgainstRealCloudKms() {
    String key = System.getenv("PLUGSKY_LIVE_GCP_KMS_KEY");
    assumeTrue(key != null, "PLUGSKY_LIVE_GCP_KMS_KEY not set");
    KeyRef keyRef = KeyRef.parse(key);
    EncryptionContext context = EncryptionContext.of("test", "plugsky-live");
    byte[] dataKey = CryptoRandom.bytes(32);

    try (GcpKmsKeyWrapper wrapper = GcpKmsKeyWrapper.builder().build()) {
      WrappedKey wrapped = wrapper.wrap(keyRef, dataKey, context);
      assertThat(wrapper.unwrap(wrapped, context)).isEqualTo(dataKey);
      assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.empty()))
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }
}
