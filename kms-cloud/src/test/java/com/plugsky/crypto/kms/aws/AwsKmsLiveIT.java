package com.plugsky.crypto.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrappers;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against real AWS KMS, only when {@code PLUGSKY_LIVE_AWS_KMS_KEY} names a symmetric key the
 * default credential chain may use (a KeyRef such as {@code aws-kms:arn:aws:kms:...}, or the bare
 * ARN); {@code PLUGSKY_LIVE_AWS_KMS_KEY_2}, a second key in the same region, adds the ReEncrypt
 * test. Skipped otherwise.
 */
class AwsKmsLiveIT {
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of("tenant", "plugsky-live-test");

  private KeyRef key;
  private KeyWrapper wrapper;

  @BeforeEach
  void setUp() {
    key = keyFrom("PLUGSKY_LIVE_AWS_KMS_KEY");
    assumeTrue(key != null, "PLUGSKY_LIVE_AWS_KMS_KEY is not set: live AWS KMS tests skipped");
    wrapper = KeyWrappers.forKeyRef(key);
  }

  private static KeyRef keyFrom(String variable) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      return null;
    }
    value = value.strip();
    return KeyRef.parse(value.startsWith("aws-kms:") ? value : "aws-kms:" + value);
  }

  @Test
  void wrapsAndUnwrapsBoundToTheContext() {
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped = wrapper.wrap(key, dataKey, CONTEXT);

    assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.of("tenant", "other")))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void generatesADataKey() {
    try (DataKey dataKey = wrapper.generateDataKey(key, 32, CONTEXT)) {
      assertThat(wrapper.unwrap(dataKey.wrappedKey(), CONTEXT)).isEqualTo(dataKey.plaintextKey());
    }
  }

  @Test
  void encryptsAnEnvelope() {
    Envelope envelope = Envelope.builder().kek(key).build();
    byte[] plaintext = "live".getBytes(StandardCharsets.UTF_8);

    assertThat(envelope.decrypt(envelope.encrypt(plaintext, CONTEXT), CONTEXT))
        .isEqualTo(plaintext);
  }

  @Test
  void rewrapsServerSide() {
    KeyRef second = keyFrom("PLUGSKY_LIVE_AWS_KMS_KEY_2");
    assumeTrue(
        second != null, "PLUGSKY_LIVE_AWS_KMS_KEY_2 is not set: live ReEncrypt test skipped");
    byte[] dataKey = CryptoRandom.bytes(32);

    WrappedKey moved = wrapper.rewrap(wrapper.wrap(key, dataKey, CONTEXT), second, CONTEXT);

    assertThat(moved.keyRef()).isEqualTo(second);
    assertThat(wrapper.unwrap(moved, CONTEXT)).isEqualTo(dataKey);
  }
}
