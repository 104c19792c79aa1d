package com.plugsky.crypto.envelope.tink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.KmsClients;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.envelope.EnvelopeHeader;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tink 1.24 on our KeyRefs, and Tink's own envelopes read and moved into our format. */
class TinkInteropTest {
  private static final byte[] AAD = "order 42".getBytes(StandardCharsets.UTF_8);
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  @TempDir Path keys;
  private LocalKeyWrapper local;
  private KeyWrapperKmsClient client;
  private byte[] plaintext;

  @BeforeAll
  static void registerTink() throws GeneralSecurityException {
    AeadConfig.register();
  }

  @BeforeEach
  void setUp() {
    local = LocalKeyWrapper.builder().keyDirectory(keys).build();
    client = KeyWrapperKmsClient.builder().keyWrapper(local).build();
    plaintext = CryptoRandom.bytes(3000);
  }

  @Test
  void kmsEnvelopeAeadRunsOnALocalKeyRefAndItsDataKeyIsAnEnvelopeMessage() throws Exception {
    Aead kek = client.getAead("local:orders");
    Aead aead = KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, kek);

    byte[] ciphertext = aead.encrypt(plaintext, AAD);

    assertThat(aead.decrypt(ciphertext, AAD)).isEqualTo(plaintext);
    assertThatThrownBy(() -> aead.decrypt(ciphertext, "order 43".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(GeneralSecurityException.class);
    int dekLength = ByteBuffer.wrap(ciphertext).getInt();
    EnvelopeHeader wrappedDek = Envelope.inspect(Arrays.copyOfRange(ciphertext, 4, 4 + dekLength));
    assertThat(wrappedDek.wrappedKeys())
        .extracting(EnvelopeHeader.WrappedKeyInfo::keyRef)
        .containsExactly("local:orders");
    Aead otherKek =
        KeyWrapperKmsClient.builder()
            .keyWrapper(LocalKeyWrapper.builder().keyDirectory(keys.resolve("other")).build())
            .build()
            .getAead("local:orders");
    Aead other = KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, otherKek);
    Throwable failure = catchThrowable(() -> other.decrypt(ciphertext, AAD));
    assertThat(failure).isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void associatedDataReachesTheKekAsTheEncryptionContext() throws Exception {
    Aead kek = client.getAead("local:orders");

    byte[] wrapped = kek.encrypt(plaintext, AAD);

    // The header, readable without a key, carries the associated data's digest, never the data.
    assertThat(Envelope.inspect(wrapped).context().asMap())
        .containsOnlyKeys(EnvelopeAead.ASSOCIATED_DATA_KEY);
    assertThat(indexOf(wrapped, AAD)).isNegative();
    assertThat(kek.decrypt(wrapped, AAD)).isEqualTo(plaintext);
    assertThatThrownBy(() -> kek.decrypt(wrapped, new byte[0]))
        .isInstanceOf(GeneralSecurityException.class)
        .hasCauseInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> kek.decrypt(wrapped, "order 43".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(GeneralSecurityException.class)
        .hasCauseInstanceOf(AuthenticationFailedException.class);
    byte[] large = new byte[100_000];
    assertThat(kek.decrypt(kek.encrypt(plaintext, large), large)).isEqualTo(plaintext);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void anEncryptedKeysetRoundTripsUnderAKeyRef() throws Exception {
    Aead kek = client.getAead("local:keysets");
    KeysetHandle handle = KeysetHandle.generateNew(PredefinedAeadParameters.AES128_GCM);

    byte[] encrypted = TinkProtoKeysetFormat.serializeEncryptedKeyset(handle, kek, AAD);
    KeysetHandle back = TinkProtoKeysetFormat.parseEncryptedKeyset(encrypted, kek, AAD);

    Aead original = handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
    Aead restored = back.getPrimitive(RegistryConfiguration.get(), Aead.class);
    assertThat(restored.decrypt(original.encrypt(plaintext, AAD), AAD)).isEqualTo(plaintext);
    assertThatThrownBy(
            () -> TinkProtoKeysetFormat.parseEncryptedKeyset(encrypted, kek, new byte[] {1}))
        .isInstanceOf(GeneralSecurityException.class);
  }

  @Test
  void supportsKeyRefsWithAWrapperAndTinkFindsItInItsRegistry() throws Exception {
    assertThat(client.doesSupport("local:orders")).isTrue();
    assertThat(client.doesSupport("aws-kms://arn:aws:kms:eu-west-1:111122223333:key/abc"))
        .isFalse();
    assertThat(client.doesSupport("gcp-kms:projects/p/locations/l/keyRings/r/cryptoKeys/k"))
        .as("no Google Cloud KMS wrapper on this classpath")
        .isFalse();
    assertThat(client.doesSupport("not a uri")).isFalse();
    assertThatThrownBy(() -> client.getAead("not a uri"))
        .isInstanceOf(GeneralSecurityException.class);

    KmsClients.add(client);
    assertThat(KmsClients.get("local:registry")).isSameAs(client);
  }

  @Test
  void aTinkEnvelopeWrittenByTinkIsReadAndMovedIntoOurFormat() throws Exception {
    Aead tinkKek =
        KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
            .getPrimitive(RegistryConfiguration.get(), Aead.class);
    byte[] tinkCiphertext =
        KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, tinkKek)
            .encrypt(plaintext, AAD);
    TinkEnvelopeMigration migration =
        TinkEnvelopeMigration.of(tinkKek, PredefinedAeadParameters.AES256_GCM);
    Envelope target =
        Envelope.builder().keyWrapper(local).kek(KeyRef.parse("local:migrated")).build();

    byte[] message = migration.toEnvelope(tinkCiphertext, AAD, target, CONTEXT);

    assertThat(migration.decrypt(tinkCiphertext, AAD)).isEqualTo(plaintext);
    assertThat(target.decrypt(message, CONTEXT)).isEqualTo(plaintext);
    assertThat(Envelope.inspect(message).version()).isEqualTo(3);
    assertThatThrownBy(() -> migration.decrypt(tinkCiphertext, new byte[0]))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void aStoredTinkEnvelopeStillMigrates() throws Exception {
    // Written once by Tink 1.24.0 (KmsEnvelopeAead, AES256_GCM data keys, an AES256_GCM keyset as
    // KEK) and kept, so that a later Tink or a change here cannot drift from what Tink wrote then.
    JsonNode fixture;
    try (InputStream in =
        TinkInteropTest.class.getResourceAsStream("/tink/kms-envelope-aead-aes256gcm.json")) {
      fixture = new ObjectMapper().readTree(in);
    }
    Aead kek =
        TinkJsonProtoKeysetFormat.parseKeyset(
                fixture.get("kekKeyset").toString(), InsecureSecretKeyAccess.get())
            .getPrimitive(RegistryConfiguration.get(), Aead.class);
    HexFormat hex = HexFormat.of();
    byte[] associatedData = hex.parseHex(fixture.get("associatedData").asText());
    byte[] ciphertext = hex.parseHex(fixture.get("ciphertext").asText());
    TinkEnvelopeMigration migration =
        TinkEnvelopeMigration.of(kek, PredefinedAeadParameters.AES256_GCM);
    Envelope target =
        Envelope.builder().keyWrapper(local).kek(KeyRef.parse("local:migrated")).build();

    byte[] message = migration.toEnvelope(ciphertext, associatedData, target, CONTEXT);

    assertThat(target.decrypt(message, CONTEXT))
        .isEqualTo(hex.parseHex(fixture.get("plaintext").asText()));
  }

  @Test
  void aTinkEnvelopeWhoseKekIsOneOfOurKeyRefsMigratesToo() throws Exception {
    Aead kek = client.getAead("local:legacy");
    byte[] tinkCiphertext =
        KmsEnvelopeAead.create(PredefinedAeadParameters.AES128_GCM, kek).encrypt(plaintext, AAD);
    Envelope target =
        Envelope.builder().keyWrapper(local).kek(KeyRef.parse("local:migrated")).build();

    byte[] message =
        TinkEnvelopeMigration.of(kek, PredefinedAeadParameters.AES128_GCM)
            .toEnvelope(tinkCiphertext, AAD, target, CONTEXT);

    assertThat(target.decrypt(message, CONTEXT)).isEqualTo(plaintext);
  }

  @Test
  void damagedTinkEnvelopesFailTyped() throws Exception {
    Aead tinkKek =
        KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
            .getPrimitive(RegistryConfiguration.get(), Aead.class);
    byte[] small = CryptoRandom.bytes(20);
    byte[] tinkCiphertext =
        KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, tinkKek).encrypt(small, AAD);
    TinkEnvelopeMigration migration =
        TinkEnvelopeMigration.of(tinkKek, PredefinedAeadParameters.AES256_GCM);

    for (int i = 0; i < tinkCiphertext.length; i++) {
      byte[] damaged = tinkCiphertext.clone();
      damaged[i] ^= 0x01;
      assertThat(catchThrowable(() -> migration.decrypt(damaged, AAD)))
          .as("byte %d flipped", i)
          .isInstanceOfAny(AuthenticationFailedException.class, MalformedCiphertextException.class);
    }
    for (int length = 0; length < tinkCiphertext.length; length++) {
      byte[] truncated = Arrays.copyOf(tinkCiphertext, length);
      assertThat(catchThrowable(() -> migration.decrypt(truncated, AAD)))
          .as("truncated to %d", length)
          .isInstanceOfAny(AuthenticationFailedException.class, MalformedCiphertextException.class);
    }
    byte[] hugeDek = tinkCiphertext.clone();
    ByteBuffer.wrap(hugeDek).putInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> migration.decrypt(hugeDek, AAD))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("2147483647");
  }
}
