package com.plugsky.crypto.kms.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrappers;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.kms.aws.moto.KmsCallCounter;
import com.plugsky.crypto.kms.aws.moto.MotoExtension;
import com.plugsky.crypto.kms.aws.moto.MotoServer;
import com.plugsky.crypto.kms.retry.RetryPolicy;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;

@ExtendWith(MotoExtension.class)
class AwsKmsKeyWrapperIT {
  private static final String REGION = "eu-west-1";
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private final KmsCallCounter calls = new KmsCallCounter();
  private MotoServer moto;
  private AwsKmsKeyWrapper wrapper;

  @BeforeEach
  void setUp(MotoServer moto) {
    this.moto = moto;
    wrapper =
        AwsKmsKeyWrapper.builder()
            .endpoint(moto.endpoint())
            .region(REGION)
            .credentialsProvider(MotoServer.CREDENTIALS)
            .addInterceptor(calls)
            .retryPolicy(RetryPolicy.none())
            .auditSink(events::add)
            .build();
  }

  @AfterEach
  void tearDown() {
    wrapper.close();
  }

  @Test
  void wrapsAndUnwrapsUnderAnArnWithTheContextAsKmsEncryptionContext() {
    KeyRef key = moto.createKey(REGION);
    byte[] dataKey = CryptoRandom.bytes(32);

    WrappedKey wrapped = wrapper.wrap(key, dataKey, CONTEXT);

    assertThat(wrapped.keyRef()).isEqualTo(key);
    assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
    assertThat(calls.count("Encrypt")).isEqualTo(1);
    assertThat(calls.count("Decrypt")).isEqualTo(1);
    // The blob is KMS's own: KMS itself opens it with the same context, and with no other.
    byte[] direct =
        moto.kms(REGION)
            .decrypt(
                b ->
                    b.ciphertextBlob(SdkBytes.fromByteArray(wrapped.bytes()))
                        .encryptionContext(CONTEXT.asMap()))
            .plaintext()
            .asByteArray();
    assertThat(direct).isEqualTo(dataKey);
  }

  @Test
  void auditsEveryCallWithBackendRegionAndOutcome() {
    KeyRef key = moto.createKey(REGION);
    WrappedKey wrapped = wrapper.wrap(key, CryptoRandom.bytes(32), CONTEXT);
    wrapper.unwrap(wrapped, CONTEXT);
    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.of("tenant", "other")))
        .isInstanceOf(AuthenticationFailedException.class);

    assertThat(events)
        .extracting(AuditEvent::operation, AuditEvent::outcome, AuditEvent::bytes)
        .containsExactly(
            tuple(Operation.WRAP, Outcome.SUCCESS, 32L),
            tuple(Operation.UNWRAP, Outcome.SUCCESS, 32L),
            tuple(Operation.UNWRAP, Outcome.AUTHENTICATION_FAILED, 0L));
    assertThat(events)
        .allSatisfy(
            event -> {
              assertThat(event.backend()).isEqualTo("aws-kms");
              assertThat(event.keyRef()).contains(key.toString());
              assertThat(event.region()).contains(REGION);
            });
  }

  @Test
  void anotherContextFailsAuthentication() {
    KeyRef key = moto.createKey(REGION);
    WrappedKey wrapped = wrapper.wrap(key, CryptoRandom.bytes(32), CONTEXT);

    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.of("tenant", "other")))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("InvalidCiphertextException")
        .hasMessageContaining(key.toString());
    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.empty()))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void modifiedWrappedBytesFailAuthentication() {
    KeyRef key = moto.createKey(REGION);
    byte[] bytes = wrapper.wrap(key, CryptoRandom.bytes(32), CONTEXT).bytes();
    bytes[bytes.length - 1] ^= 1;

    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(key, bytes), CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void wrappedBytesOpenOnlyUnderTheKeyTheirKeyRefNames() {
    KeyRef key = moto.createKey(REGION);
    KeyRef other = moto.createKey(REGION);
    byte[] bytes = wrapper.wrap(key, CryptoRandom.bytes(32), CONTEXT).bytes();

    // Real KMS answers IncorrectKeyException (AuthenticationFailedException here); moto answers
    // AccessDeniedException. Either way the bytes do not open, and nothing is retried.
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(other, bytes), CONTEXT))
        .isInstanceOfAny(AuthenticationFailedException.class, KeyAccessDeniedException.class)
        .satisfies(e -> assertThat(((CryptoException) e).isRetryable()).isFalse());
  }

  @Test
  void malformedWrappedBytesFailBeforeAnyCall() {
    KeyRef key = moto.createKey(REGION);

    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(key, new byte[0]), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("CiphertextBlob");
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(key, new byte[6145]), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class);
    assertThat(calls.total()).isZero();
  }

  @Test
  void aliasWithRegionAndBareKeyIdInTheWrappersRegionWork() {
    KeyRef key = moto.createKey(REGION);
    KeyRef alias = moto.createAlias(REGION, "orders-" + System.nanoTime(), key);
    String keyId = key.toString().substring(key.toString().lastIndexOf('/') + 1);
    KeyRef bare = KeyRef.parse("aws-kms:" + keyId);
    byte[] dataKey = CryptoRandom.bytes(16);

    WrappedKey underAlias = wrapper.wrap(alias, dataKey, CONTEXT);
    assertThat(wrapper.unwrap(underAlias, CONTEXT)).isEqualTo(dataKey);
    WrappedKey underId = wrapper.wrap(bare, dataKey, CONTEXT);
    assertThat(wrapper.unwrap(underId, CONTEXT)).isEqualTo(dataKey);
  }

  @Test
  void messagesWrappedUnderAnAliasStillOpenAfterTheAliasMovesToANewKey() {
    KeyRef first = moto.createKey(REGION);
    KeyRef second = moto.createKey(REGION);
    String name = "rotating-" + System.nanoTime();
    KeyRef alias = moto.createAlias(REGION, name, first);
    byte[] oldKey = CryptoRandom.bytes(32);
    WrappedKey beforeRotation = wrapper.wrap(alias, oldKey, CONTEXT);

    moto.kms(REGION).updateAlias(b -> b.aliasName("alias/" + name).targetKeyId(arnOf(second)));

    assertThat(wrapper.unwrap(beforeRotation, CONTEXT)).isEqualTo(oldKey);
    byte[] newKey = CryptoRandom.bytes(32);
    WrappedKey afterRotation = wrapper.wrap(alias, newKey, CONTEXT);
    assertThat(keyThatOpens(afterRotation)).isEqualTo(arnOf(second));
    assertThat(wrapper.unwrap(afterRotation, CONTEXT)).isEqualTo(newKey);
    WrappedKey moved = wrapper.rewrap(beforeRotation, alias, CONTEXT);
    assertThat(keyThatOpens(moved)).isEqualTo(arnOf(second));
    assertThat(wrapper.unwrap(moved, CONTEXT)).isEqualTo(oldKey);
  }

  private String keyThatOpens(WrappedKey wrapped) {
    return moto.kms(REGION)
        .decrypt(
            b ->
                b.ciphertextBlob(SdkBytes.fromByteArray(wrapped.bytes()))
                    .encryptionContext(CONTEXT.asMap()))
        .keyId();
  }

  private static String arnOf(KeyRef key) {
    return key.toString().substring("aws-kms:".length());
  }

  @Test
  void aKeyThatDoesNotExistIsAccessDenied() {
    KeyRef missing =
        KeyRef.parse(
            "aws-kms:arn:aws:kms:"
                + REGION
                + ":123456789012:key/"
                + "00000000-0000-4000-8000-000000000000");

    assertThatThrownBy(() -> wrapper.wrap(missing, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(KeyAccessDeniedException.class)
        .hasMessageContaining("NotFoundException")
        .hasMessageContaining("does not exist");
    assertThat(events).extracting(AuditEvent::outcome).containsExactly(Outcome.ACCESS_DENIED);
  }

  @Test
  void generateDataKeyIsOneRoundTrip() {
    KeyRef key = moto.createKey(REGION);

    try (DataKey dataKey = wrapper.generateDataKey(key, 32, CONTEXT)) {
      assertThat(calls.total()).isEqualTo(1);
      assertThat(calls.count("GenerateDataKey")).isEqualTo(1);
      byte[] plaintext = dataKey.plaintextKey();
      assertThat(plaintext).hasSize(32).isNotEqualTo(new byte[32]);
      assertThat(wrapper.unwrap(dataKey.wrappedKey(), CONTEXT)).isEqualTo(plaintext);
    }
    assertThat(events)
        .extracting(AuditEvent::operation)
        .first()
        .isEqualTo(Operation.GENERATE_DATA_KEY);
  }

  @Test
  void rewrapInOneRegionIsServerSideReEncrypt() {
    KeyRef from = moto.createKey(REGION);
    KeyRef to = moto.createKey(REGION);
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped = wrapper.wrap(from, dataKey, CONTEXT);
    calls.reset();

    WrappedKey moved = wrapper.rewrap(wrapped, to, CONTEXT);

    assertThat(calls.count("ReEncrypt")).isEqualTo(1);
    assertThat(calls.total()).isEqualTo(1);
    assertThat(moved.keyRef()).isEqualTo(to);
    assertThat(wrapper.unwrap(moved, CONTEXT)).isEqualTo(dataKey);
    assertThat(events).extracting(AuditEvent::operation).contains(Operation.REWRAP);
  }

  @Test
  void rewrapToAnotherRegionDecryptsHereAndEncryptsThere() {
    KeyRef from = moto.createKey(REGION);
    KeyRef to = moto.createKey("us-east-1");
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped = wrapper.wrap(from, dataKey, CONTEXT);
    calls.reset();

    WrappedKey moved = wrapper.rewrap(wrapped, to, CONTEXT);

    assertThat(calls.count("Decrypt")).isEqualTo(1);
    assertThat(calls.count("Encrypt")).isEqualTo(1);
    assertThat(wrapper.unwrap(moved, CONTEXT)).isEqualTo(dataKey);
  }

  @Test
  void rewrapToAnotherSchemeIsRefusedWithoutACall() {
    KeyRef from = moto.createKey(REGION);
    WrappedKey wrapped = wrapper.wrap(from, CryptoRandom.bytes(32), CONTEXT);
    calls.reset();

    assertThatThrownBy(() -> wrapper.rewrap(wrapped, KeyRef.parse("local:other"), CONTEXT))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("Envelope.rewrap");
    assertThat(calls.total()).isZero();
  }

  @Test
  void otherSchemesAndBadLengthsAreInvalidInput() {
    assertThatThrownBy(() -> wrapper.wrap(KeyRef.parse("local:x"), new byte[32], CONTEXT))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("aws-kms: KeyRefs only");
    KeyRef key = moto.createKey(REGION);
    assertThatThrownBy(() -> wrapper.wrap(key, new byte[15], CONTEXT))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> wrapper.generateDataKey(key, 65, CONTEXT))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void aKeyRefWithoutRegionNeedsAConfiguredRegion() {
    try (AwsKmsKeyWrapper noRegion =
        AwsKmsKeyWrapper.builder()
            .endpoint(moto.endpoint())
            .credentialsProvider(MotoServer.CREDENTIALS)
            .build()) {
      assertThatThrownBy(
              () -> noRegion.wrap(KeyRef.parse("aws-kms:alias/orders"), new byte[32], CONTEXT))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("names no region");
    }
  }

  @Test
  void missingCredentialsAreAConfigurationErrorAndSecretsAppearNowhere() {
    KeyRef key = moto.createKey(REGION);
    try (AwsKmsKeyWrapper noCredentials =
            AwsKmsKeyWrapper.builder()
                .endpoint(moto.endpoint())
                .region(REGION)
                .credentialsProvider(
                    () -> {
                      throw SdkClientException.create(
                          "Unable to load credentials from any of the providers in the chain");
                    })
                .auditSink(events::add)
                .build();
        AwsKmsKeyWrapper withSecret =
            AwsKmsKeyWrapper.builder()
                .endpoint(moto.endpoint())
                .region(REGION)
                .credentialsProvider(
                    StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI-secret")))
                .build()) {
      assertThatThrownBy(() -> noCredentials.wrap(key, CryptoRandom.bytes(32), CONTEXT))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Unable to load credentials");
      assertThat(events)
          .extracting(AuditEvent::outcome)
          .containsExactly(Outcome.CONFIGURATION_ERROR);

      WrappedKey wrapped = withSecret.wrap(key, CryptoRandom.bytes(32), CONTEXT);
      assertThat(withSecret.toString() + wrapped).doesNotContain("secret").doesNotContain("AKID");
      assertThatThrownBy(() -> withSecret.unwrap(wrapped, EncryptionContext.empty()))
          .satisfies(
              e -> assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("AKID"));
    }
  }

  @Test
  void oneWrapperServesConcurrentCallersInSeveralRegions() throws Exception {
    List<KeyRef> keys = List.of(moto.createKey(REGION), moto.createKey("us-east-1"));
    try (ExecutorService threads = Executors.newFixedThreadPool(6)) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        KeyRef key = keys.get(i % keys.size());
        EncryptionContext context = EncryptionContext.of("tenant", "t" + i);
        results.add(
            threads.submit(
                () -> {
                  byte[] dataKey = CryptoRandom.bytes(32);
                  return Arrays.equals(
                      wrapper.unwrap(wrapper.wrap(key, dataKey, context), context), dataKey);
                }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get(60, TimeUnit.SECONDS)).isTrue();
      }
    }
    assertThat(calls.count("Encrypt")).isEqualTo(24);
    assertThat(events).hasSize(48).extracting(AuditEvent::outcome).containsOnly(Outcome.SUCCESS);
  }

  @Test
  void theServiceLoaderProviderReadsTheEndpointOverride() {
    KeyRef key = moto.createKey(REGION);
    String endpointBefore = System.getProperty(AwsKmsKeyWrapperProvider.ENDPOINT_PROPERTY);
    String accessKeyBefore = System.getProperty("aws.accessKeyId");
    String secretKeyBefore = System.getProperty("aws.secretAccessKey");
    System.setProperty(AwsKmsKeyWrapperProvider.ENDPOINT_PROPERTY, moto.endpoint().toString());
    // The SDK's default chain reads these first; moto accepts any credentials.
    System.setProperty("aws.accessKeyId", "testing");
    System.setProperty("aws.secretAccessKey", "testing");
    try {
      KeyWrapper found = KeyWrappers.forKeyRef(key);
      assertThat(found).isInstanceOf(AwsKmsKeyWrapper.class);
      byte[] dataKey = CryptoRandom.bytes(32);
      byte[] back = found.unwrap(found.wrap(key, dataKey, CONTEXT), CONTEXT);
      assertThat(back).isEqualTo(dataKey);
    } finally {
      restore(AwsKmsKeyWrapperProvider.ENDPOINT_PROPERTY, endpointBefore);
      restore("aws.accessKeyId", accessKeyBefore);
      restore("aws.secretAccessKey", secretKeyBefore);
    }
  }

  private static void restore(String property, String value) {
    if (value == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, value);
    }
  }
}
