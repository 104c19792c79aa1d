package com.plugsky.crypto.kms.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Opens azure-kv wrapped keys by docs/FORMAT.md ("azure-kv wrapped keys") alone, with the JDK's
 * HKDF and AES-GCM and the loopback vault playing Key Vault's unwrapkey, so the description and the
 * code cannot drift apart.
 */
class AzureKeyVaultFormatTest {

  @ParameterizedTest
  @CsvSource({
    "https://plugsky-test.vault.azure.net/keys/orders-rsa, RSA_OAEP_256, 1, RSA-OAEP-256, 256",
    "https://plugsky-test.vault.azure.net/keys/orders-rsa3072, RSA_OAEP_256, 1, RSA-OAEP-256, 384",
    "https://plugsky-test.managedhsm.azure.net/keys/orders-oct, A256KW, 2, A256KW, 40"
  })
  void theDocumentedConstructionOpensWhatTheWrapperWrote(
      String keyUrl, KeyVaultWrapAlgorithm algorithm, int algorithmByte, String jose, int w)
      throws Exception {
    KeyVaultFixture fixture = KeyVaultFixture.shared();
    KeyRef keyRef = KeyRef.parse("azure-kv:" + keyUrl);
    EncryptionContext context = EncryptionContext.of("tenant", "acme", "region", "eu");
    byte[] dataKey = CryptoRandom.bytes(48);
    WrappedKey wrapped =
        fixture.wrapperBuilder().algorithm(algorithm).build().wrap(keyRef, dataKey, context);
    byte[] bytes = wrapped.bytes();

    ByteBuffer in = ByteBuffer.wrap(bytes);
    assertThat(in.get()).isEqualTo((byte) 1);
    assertThat(in.get()).isEqualTo((byte) algorithmByte);
    byte[] version = new byte[16];
    in.get(version);
    assertThat(Short.toUnsignedInt(in.getShort())).isEqualTo(w);
    byte[] wrappedIntermediate = new byte[w];
    in.get(wrappedIntermediate);
    byte[] nonce = new byte[12];
    in.get(nonce);
    byte[] ciphertextAndTag = new byte[in.remaining()];
    in.get(ciphertextAndTag);
    assertThat(bytes).hasSize(48 + w + dataKey.length);

    String keyName = keyUrl.substring(keyUrl.lastIndexOf('/') + 1);
    byte[] intermediate =
        fixture
            .vault()
            .unwrapDirectly(keyName, HexFormat.of().formatHex(version), jose, wrappedIntermediate);
    assertThat(intermediate).hasSize(32);

    byte[] versionedUrl =
        (keyUrl + "/" + HexFormat.of().formatHex(version)).getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream info = new ByteArrayOutputStream();
    info.writeBytes("plugsky azure-kv wrap v1".getBytes(StandardCharsets.US_ASCII));
    info.write(versionedUrl.length >> 8);
    info.write(versionedUrl.length);
    info.writeBytes(versionedUrl);
    info.writeBytes(context.encoded());
    SecretKey sealKey =
        KDF.getInstance("HKDF-SHA256")
            .deriveKey(
                "AES",
                HKDFParameterSpec.ofExtract()
                    .addIKM(intermediate)
                    .thenExpand(info.toByteArray(), 32));

    ByteArrayOutputStream aad = new ByteArrayOutputStream();
    aad.writeBytes(Arrays.copyOf(bytes, 20 + w));
    aad.writeBytes(keyRef.toString().getBytes(StandardCharsets.US_ASCII));
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(Cipher.DECRYPT_MODE, sealKey, new GCMParameterSpec(128, nonce));
    gcm.updateAAD(aad.toByteArray());

    assertThat(gcm.doFinal(ciphertextAndTag)).isEqualTo(dataKey);
  }
}
