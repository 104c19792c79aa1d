package com.plugsky.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.pkcs11.HsmConfig.Backend;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The {@link Hsm} contract, run against SoftHSM2 through every backend; results are checked against
 * the JDK's own AES-GCM and AES-KWP, so a wrong structure layout cannot pass.
 */
class HsmContractIT {
  private static final Map<Backend, Hsm> HSMS = new EnumMap<>(Backend.class);

  @BeforeAll
  static void open() {
    SoftHsm softHsm = SoftHsm.get();
    for (Backend backend : Backend.values()) {
      HSMS.put(backend, Hsm.open(softHsm.config(SoftHsm.TOKEN).backend(backend).build()));
    }
  }

  @AfterAll
  static void close() {
    HSMS.values().forEach(Hsm::close);
  }

  private static HsmKey freshLabel() {
    return HsmKey.label("test-" + UUID.randomUUID());
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void generatesAKeyFindableByLabelAndRefusesADuplicate(Backend backend) {
    Hsm hsm = HSMS.get(backend);
    HsmKey key = freshLabel();
    assertThat(hsm.contains(key)).isFalse();

    hsm.generateAesKey(key);

    assertThat(hsm.contains(key)).isTrue();
    assertThatThrownBy(() -> hsm.generateAesKey(key))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(key.label().orElseThrow());
  }

  @ParameterizedTest
  @EnumSource(value = Backend.class)
  void findsKeysByIdWhereTheBackendCan(Backend backend) {
    Hsm hsm = HSMS.get(backend);
    if (!hsm.capabilities().supports(Capabilities.Operation.KEY_ID)) {
      assertThatThrownBy(() -> hsm.generateAesKey(HsmKey.id(CryptoRandom.bytes(8))))
          .isInstanceOf(ConfigurationException.class);
      return;
    }
    byte[] id = CryptoRandom.bytes(8);
    hsm.generateAesKey(HsmKey.of("by-id-" + UUID.randomUUID(), id));

    assertThat(hsm.contains(HsmKey.id(id))).isTrue();
    byte[] iv = CryptoRandom.bytes(12);
    byte[] sealed = hsm.encryptAesGcm(HsmKey.id(id), iv, bytes("by id"), new byte[0]);
    assertThat(hsm.decryptAesGcm(HsmKey.id(id), iv, sealed, new byte[0])).isEqualTo(bytes("by id"));
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aMissingKeyIsUnavailable(Backend backend) {
    HsmKey missing = freshLabel();
    assertThatThrownBy(
            () -> HSMS.get(backend).encryptAesGcm(missing, new byte[12], new byte[1], new byte[0]))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining(missing.label().orElseThrow());
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aesGcmMatchesTheJdkInBothDirections(Backend backend) throws Exception {
    Hsm hsm = HSMS.get(backend);
    HsmKey key = freshLabel();
    byte[] keyBytes = CryptoRandom.bytes(32);
    hsm.importAesKey(key, keyBytes);
    byte[] iv = CryptoRandom.bytes(12);
    byte[] aad = bytes("tenant=acme");
    for (int length : new int[] {0, 1, 32, 1000}) {
      byte[] plaintext = CryptoRandom.bytes(length);

      byte[] sealed = hsm.encryptAesGcm(key, iv, plaintext, aad);

      assertThat(sealed).isEqualTo(jdkGcm(Cipher.ENCRYPT_MODE, keyBytes, iv, aad, plaintext));
      assertThat(hsm.decryptAesGcm(key, iv, sealed, aad)).isEqualTo(plaintext);
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aesGcmRefusesAModifiedTagOrOtherAssociatedData(Backend backend) {
    Hsm hsm = HSMS.get(backend);
    HsmKey key = freshLabel();
    hsm.generateAesKey(key);
    byte[] iv = CryptoRandom.bytes(12);
    byte[] sealed = hsm.encryptAesGcm(key, iv, bytes("data key"), bytes("a"));
    byte[] forged = sealed.clone();
    forged[forged.length - 1] ^= 1;

    assertThatThrownBy(() -> hsm.decryptAesGcm(key, iv, forged, bytes("a")))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> hsm.decryptAesGcm(key, iv, sealed, bytes("b")))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> hsm.decryptAesGcm(key, iv, new byte[15], bytes("a")))
        .isInstanceOf(MalformedCiphertextException.class);
    assertThat(hsm.decryptAesGcm(key, iv, sealed, bytes("a"))).isEqualTo(bytes("data key"));
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void keyWrapPadMatchesTheJdkWhereTheBackendCanDriveIt(Backend backend) throws Exception {
    Hsm hsm = HSMS.get(backend);
    HsmKey kek = freshLabel();
    byte[] kekBytes = CryptoRandom.bytes(32);
    hsm.importAesKey(kek, kekBytes);
    if (!hsm.capabilities().supports(Capabilities.Operation.AES_KEY_WRAP_PAD)) {
      assertThat(hsm.capabilities().unavailable().get(Capabilities.Operation.AES_KEY_WRAP_PAD))
          .isNotBlank();
      return;
    }
    Cipher jdk = Cipher.getInstance("AES/KWP/NoPadding");
    for (int length : new int[] {8, 16, 32, 64}) {
      byte[] secret = CryptoRandom.bytes(length);

      byte[] wrapped = hsm.wrapKeyPad(kek, secret);

      jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kekBytes, "AES"));
      assertThat(wrapped).isEqualTo(jdk.doFinal(secret));
      assertThat(hsm.unwrapKeyPad(kek, wrapped)).isEqualTo(secret);
    }
    for (int length : new int[] {1, 7, 20}) {
      byte[] secret = CryptoRandom.bytes(length);
      jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kekBytes, "AES"));
      assertThat(hsm.unwrapKeyPad(kek, jdk.doFinal(secret))).isEqualTo(secret);
      // SoftHSM2 pads such secrets to a multiple of 8 before wrapping; the result is not RFC 5649.
      assertThatThrownBy(() -> hsm.wrapKeyPad(kek, secret))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("RFC 5649");
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void keyWrapPadRefusesModifiedBytes(Backend backend) {
    Hsm hsm = HSMS.get(backend);
    if (!hsm.capabilities().supports(Capabilities.Operation.AES_KEY_WRAP_PAD)) {
      return;
    }
    HsmKey kek = freshLabel();
    hsm.generateAesKey(kek);
    byte[] wrapped = hsm.wrapKeyPad(kek, CryptoRandom.bytes(32));
    wrapped[3] ^= 0x40;

    assertThatThrownBy(() -> hsm.unwrapKeyPad(kek, wrapped))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> hsm.unwrapKeyPad(kek, new byte[12]))
        .isInstanceOf(MalformedCiphertextException.class);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void softHsmOffersBothWrapMechanisms(Backend backend) {
    Capabilities capabilities = HSMS.get(backend).capabilities();

    assertThat(capabilities.token()).isEqualTo(SoftHsm.TOKEN);
    assertThat(capabilities.mechanisms())
        .contains("CKM_AES_GCM", "CKM_AES_KEY_WRAP_PAD", "CKM_AES_KEY_GEN");
    assertThat(capabilities.supports(Capabilities.Operation.AES_GCM)).isTrue();
    assertThat(capabilities.supports(Capabilities.Operation.RANDOM)).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void ecdsaP256SignaturesVerifyInTheHsmAndInTheJdk(Backend backend) throws Exception {
    Hsm hsm = HSMS.get(backend);
    HsmKey key = freshLabel();
    if (!hsm.capabilities().supports(Capabilities.Operation.EC_P256)) {
      assertThatThrownBy(() -> hsm.generateEcP256KeyPair(key))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage(hsm.capabilities().unavailable().get(Capabilities.Operation.EC_P256));
      return;
    }
    hsm.generateEcP256KeyPair(key);
    byte[] data = bytes("header to sign");

    byte[] signature = hsm.signEcdsaSha256(key, data);

    assertThat(signature).hasSize(64);
    assertThat(hsm.verifyEcdsaSha256(key, data, signature)).isTrue();
    Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
    jdk.initVerify(hsm.ecPublicKey(key));
    jdk.update(data);
    assertThat(jdk.verify(signature)).isTrue();
    byte[] forged = signature.clone();
    forged[40] ^= 1;
    assertThat(hsm.verifyEcdsaSha256(key, data, forged)).isFalse();
    assertThat(hsm.verifyEcdsaSha256(key, bytes("other header"), signature)).isFalse();
    assertThat(hsm.verifyEcdsaSha256(key, data, new byte[63])).isFalse();
    assertThatThrownBy(() -> hsm.generateEcP256KeyPair(key))
        .isInstanceOf(InvalidInputException.class);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void randomBytesComeFromTheToken(Backend backend) {
    Hsm hsm = HSMS.get(backend);
    byte[] first = hsm.random(32);
    byte[] second = hsm.random(32);

    assertThat(first).hasSize(32);
    assertThat(first).isNotEqualTo(second);
    assertThat(hsm.random(0)).isEmpty();
    assertThatThrownBy(() -> hsm.random(-1)).isInstanceOf(InvalidInputException.class);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void concurrentCallsShareTwoSessions(Backend backend) throws Exception {
    try (Hsm hsm =
        Hsm.open(SoftHsm.get().config(SoftHsm.TOKEN).backend(backend).maxSessions(2).build())) {
      HsmKey key = freshLabel();
      hsm.generateAesKey(key);
      ExecutorService threads = Executors.newFixedThreadPool(6);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          results.add(
              threads.submit(
                  () -> {
                    for (int i = 0; i < 40; i++) {
                      byte[] iv = CryptoRandom.bytes(12);
                      byte[] plaintext = CryptoRandom.bytes(48);
                      byte[] sealed = hsm.encryptAesGcm(key, iv, plaintext, new byte[0]);
                      if (!Arrays.equals(
                          plaintext, hsm.decryptAesGcm(key, iv, sealed, new byte[0]))) {
                        return false;
                      }
                    }
                    return true;
                  }));
        }
        for (Future<Boolean> result : results) {
          assertThat(result.get()).isTrue();
        }
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aWrongPinIsDeniedAndNamesTheCode(Backend backend) {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    HsmConfig config =
        SoftHsm.get()
            .config(SoftHsm.PIN_TOKEN)
            .backend(backend)
            .pinSource(PinSource.of("wrong-pin".toCharArray()))
            .auditSink(events::add)
            .build();
    try (Hsm hsm = Hsm.open(config)) {
      assertThatThrownBy(() -> hsm.random(16))
          .isInstanceOf(KeyAccessDeniedException.class)
          .hasMessageContaining("CKR_PIN_INCORRECT")
          .hasMessageNotContaining("wrong-pin")
          .satisfies(e -> assertThat(ReturnCode.of(e)).contains(ReturnCode.CKR_PIN_INCORRECT));
    }
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.operation()).isEqualTo(AuditEvent.Operation.HSM_LOGIN);
              assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.ACCESS_DENIED);
            });
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void logsInOncePerTokenAndAuditsIt(Backend backend) {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    HsmConfig config =
        SoftHsm.get()
            .config(SoftHsm.LOGIN_TOKEN)
            .backend(backend)
            .maxSessions(3)
            .auditSink(events::add)
            .build();
    try (Hsm hsm = Hsm.open(config)) {
      HsmKey key = freshLabel();
      hsm.generateAesKey(key);
      for (int i = 0; i < 5; i++) {
        hsm.encryptAesGcm(key, CryptoRandom.bytes(12), new byte[16], new byte[0]);
      }
    }
    assertThat(events)
        .filteredOn(e -> e.operation() == AuditEvent.Operation.HSM_LOGIN)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.outcome()).isEqualTo(AuditEvent.Outcome.SUCCESS);
              assertThat(e.region()).contains(SoftHsm.LOGIN_TOKEN);
            });
  }

  private static byte[] jdkGcm(int mode, byte[] key, byte[] iv, byte[] aad, byte[] input)
      throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    cipher.updateAAD(aad);
    return cipher.doFinal(input);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
