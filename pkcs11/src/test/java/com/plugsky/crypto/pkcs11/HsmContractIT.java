package com.plugsky.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.pkcs11.HsmConfig.Backend;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link Hsm} contract, run against SoftHSM2 through every backend; results are checked against
 * the JDK's own AES-GCM and AES-KWP, so a wrong structure layout cannot pass.
 */
class HsmContractIT {
  private static final Map<Backend, Hsm> HSMS = new EnumMap<>(Backend.class);
  private static final Map<String, HsmKey> KEY_PAIRS = new ConcurrentHashMap<>();

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
        .hasMessageContaining(missing.label().orElseThrow())
        .satisfies(e -> assertThat(MissingKey.is(e)).isTrue());
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

  /**
   * Each backend tries key wrap once per token (SunPKCS11 through the provider, ffm and iaik with a
   * trial under a session KEK) and keeps the answer: SoftHSM2 takes CKM_AES_KEY_WRAP_PAD from ffm
   * and iaik, and refuses the IV SunPKCS11 passes.
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void triesKeyWrapOnceAndKeepsTheAnswer(Backend backend) {
    try (Hsm fresh = Hsm.open(SoftHsm.get().config(SoftHsm.TOKEN).backend(backend).build())) {
      Capabilities capabilities = fresh.capabilities();

      assertThat(fresh.capabilities()).isSameAs(capabilities);
      assertThat(capabilities.supports(Capabilities.Operation.AES_KEY_WRAP_PAD))
          .isEqualTo(backend != Backend.SUNPKCS11);
    }
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

  static Stream<Arguments> signatureSchemes() {
    List<Arguments> cases = new ArrayList<>();
    for (Backend backend : Backend.values()) {
      cases.add(Arguments.of(backend, KeyPairType.EC_P256, SignatureAlgorithm.ECDSA_SHA256));
      cases.add(Arguments.of(backend, KeyPairType.EC_P384, SignatureAlgorithm.ECDSA_SHA384));
      cases.add(Arguments.of(backend, KeyPairType.EC_P256, SignatureAlgorithm.ECDSA_SHA384));
      cases.add(Arguments.of(backend, KeyPairType.RSA_2048, SignatureAlgorithm.RSA_PSS_SHA256));
      cases.add(Arguments.of(backend, KeyPairType.RSA_2048, SignatureAlgorithm.RSA_PSS_SHA384));
      cases.add(Arguments.of(backend, KeyPairType.RSA_2048, SignatureAlgorithm.RSA_PKCS1_SHA256));
      cases.add(Arguments.of(backend, KeyPairType.RSA_3072, SignatureAlgorithm.RSA_PSS_SHA256));
    }
    return cases.stream();
  }

  /** One key pair per backend and type: RSA generation in SoftHSM2 takes a while. */
  private static HsmKey keyPair(Backend backend, KeyPairType type) {
    return KEY_PAIRS.computeIfAbsent(
        backend + "/" + type,
        name -> {
          HsmKey key = freshLabel();
          HSMS.get(backend).generateKeyPair(key, type);
          return key;
        });
  }

  @ParameterizedTest
  @MethodSource("signatureSchemes")
  void signaturesVerifyInTheHsmAndInTheJdk(
      Backend backend, KeyPairType type, SignatureAlgorithm algorithm) throws Exception {
    Hsm hsm = HSMS.get(backend);
    assertThat(hsm.capabilities().supports(type.operation())).isTrue();
    HsmKey key = keyPair(backend, type);
    byte[] data = bytes("header to sign");

    byte[] signature = hsm.sign(key, algorithm, data);

    PublicKey publicKey = hsm.publicKey(key);
    if (type.isRsa()) {
      assertThat(publicKey).isInstanceOf(RSAPublicKey.class);
      assertThat(((RSAPublicKey) publicKey).getModulus().bitLength()).isEqualTo(type.bits());
      assertThat(signature).hasSize(type.bits() / 8);
    } else {
      assertThat(publicKey).isInstanceOf(ECPublicKey.class);
      assertThat(((ECPublicKey) publicKey).getParams().getCurve().getField().getFieldSize())
          .isEqualTo(type.bits());
      assertThat(signature).hasSize(type.bits() / 4);
    }
    assertThat(hsm.verify(key, algorithm, data, signature)).isTrue();
    Signature jdk = Signature.getInstance(algorithm.jcaName());
    if (algorithm.jcaParameters().isPresent()) {
      jdk.setParameter(algorithm.jcaParameters().get());
    }
    jdk.initVerify(publicKey);
    jdk.update(data);
    assertThat(jdk.verify(signature)).isTrue();
    byte[] forged = signature.clone();
    forged[signature.length / 2 + 3] ^= 1;
    assertThat(hsm.verify(key, algorithm, data, forged)).isFalse();
    assertThat(hsm.verify(key, algorithm, bytes("other header"), signature)).isFalse();
    assertThat(hsm.verify(key, algorithm, data, Arrays.copyOf(signature, signature.length - 1)))
        .isFalse();
    assertThat(hsm.verify(key, algorithm, new byte[0], hsm.sign(key, algorithm, new byte[0])))
        .isTrue();
  }

  static Stream<Arguments> importedPublicKeys() {
    List<Arguments> cases = new ArrayList<>();
    for (Backend backend : Backend.values()) {
      cases.add(Arguments.of(backend, "secp256r1", SignatureAlgorithm.ECDSA_SHA256));
      cases.add(Arguments.of(backend, "secp384r1", SignatureAlgorithm.ECDSA_SHA384));
    }
    return cases.stream();
  }

  @ParameterizedTest
  @MethodSource("importedPublicKeys")
  void anImportedPublicKeyVerifiesTheJdksSignaturesInTheHsm(
      Backend backend, String curve, SignatureAlgorithm algorithm) throws Exception {
    Hsm hsm = HSMS.get(backend);
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    KeyPair pair = generator.generateKeyPair();
    byte[] data = bytes("signed elsewhere");
    Signature jdk = Signature.getInstance(algorithm.jcaName());
    jdk.initSign(pair.getPrivate());
    jdk.update(data);
    byte[] signature = jdk.sign();
    HsmKey key = freshLabel();

    hsm.importEcPublicKey(key, (ECPublicKey) pair.getPublic());

    assertThat(hsm.verify(key, algorithm, data, signature)).isTrue();
    byte[] forged = signature.clone();
    forged[3] ^= 1;
    assertThat(hsm.verify(key, algorithm, data, forged)).isFalse();
    assertThat(hsm.verify(key, algorithm, bytes("other data"), signature)).isFalse();
    assertThat(((ECPublicKey) hsm.publicKey(key)).getW())
        .isEqualTo(((ECPublicKey) pair.getPublic()).getW());
    assertThatThrownBy(() -> hsm.importEcPublicKey(key, (ECPublicKey) pair.getPublic()))
        .isInstanceOf(InvalidInputException.class);
    hsm.destroyKey(key);
    assertThatThrownBy(() -> hsm.verify(key, algorithm, data, signature))
        .isInstanceOf(KeyUnavailableException.class);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aKeyPairIsNotMadeTwiceNorUsedWithTheWrongScheme(Backend backend) {
    Hsm hsm = HSMS.get(backend);
    HsmKey ec = keyPair(backend, KeyPairType.EC_P256);
    assertThatThrownBy(() -> hsm.generateKeyPair(ec, KeyPairType.EC_P256))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(ec.label().orElseThrow());
    assertThatThrownBy(() -> hsm.sign(ec, SignatureAlgorithm.RSA_PSS_SHA256, new byte[1]))
        .isInstanceOf(CryptoException.class)
        .hasMessageContaining(ec.label().orElseThrow())
        .satisfies(
            e -> {
              if (backend == Backend.SUNPKCS11) {
                // SunPKCS11 refuses the key itself, with no PKCS#11 code to sort it by; asking
                // again cannot make it fit, so it is no retryable outage.
                assertThat(e)
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("InvalidKeyException");
              }
            });
    HsmKey missing = freshLabel();
    assertThatThrownBy(() -> hsm.sign(missing, SignatureAlgorithm.ECDSA_SHA256, new byte[1]))
        .isInstanceOf(KeyUnavailableException.class);
    assertThatThrownBy(() -> hsm.publicKey(missing)).isInstanceOf(KeyUnavailableException.class);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void signingIsAudited(Backend backend) {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    try (Hsm hsm =
        Hsm.open(
            SoftHsm.get().config(SoftHsm.TOKEN).backend(backend).auditSink(events::add).build())) {
      HsmKey key = keyPair(backend, KeyPairType.EC_P256);
      hsm.sign(key, SignatureAlgorithm.ECDSA_SHA256, new byte[5]);
    }
    assertThat(events)
        .filteredOn(e -> e.operation() == AuditEvent.Operation.SIGN)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.bytes()).isEqualTo(5);
              assertThat(e.keyRef().orElseThrow()).contains("type=private");
            });
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void hmacSha256MatchesRfc4231AndTheJdk(Backend backend) throws Exception {
    Hsm hsm = HSMS.get(backend);
    HsmKey vector = freshLabel();
    // RFC 4231 test case 6: SoftHSM2 refuses HMAC-SHA256 keys shorter than 32 bytes.
    hsm.importHmacKey(vector, HexFormat.of().parseHex("aa".repeat(131)));
    assertThat(
            hsm.hmacSha256(vector, bytes("Test Using Larger Than Block-Size Key - Hash Key First")))
        .isEqualTo(
            HexFormat.of()
                .parseHex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));

    HsmKey imported = freshLabel();
    byte[] keyBytes = CryptoRandom.bytes(32);
    hsm.importHmacKey(imported, keyBytes);
    Mac jdk = Mac.getInstance("HmacSHA256");
    jdk.init(new SecretKeySpec(keyBytes, "HmacSHA256"));
    for (int length : new int[] {0, 1, 64, 1000}) {
      byte[] data = CryptoRandom.bytes(length);
      if (length == 0 && backend == Backend.IAIK) {
        assertThatThrownBy(() -> hsm.hmacSha256(imported, data))
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("empty message");
        continue;
      }
      assertThat(hsm.hmacSha256(imported, data)).isEqualTo(jdk.doFinal(data));
    }

    HsmKey generated = freshLabel();
    hsm.generateHmacKey(generated);
    byte[] data = bytes("header");
    byte[] mac = hsm.hmacSha256(generated, data);
    assertThat(mac).hasSize(32).isNotEqualTo(hsm.hmacSha256(imported, data));
    assertThat(hsm.verifyHmacSha256(generated, data, mac)).isTrue();
    byte[] forged = mac.clone();
    forged[7] ^= 1;
    assertThat(hsm.verifyHmacSha256(generated, data, forged)).isFalse();
    assertThat(hsm.verifyHmacSha256(generated, data, Arrays.copyOf(mac, 31))).isFalse();
    assertThatThrownBy(() -> hsm.generateHmacKey(generated))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> hsm.importHmacKey(freshLabel(), new byte[8]))
        .isInstanceOf(InvalidInputException.class);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void destroysSecretKeysAndKeyPairs(Backend backend) {
    Hsm hsm = HSMS.get(backend);
    HsmKey secret = freshLabel();
    hsm.generateAesKey(secret);
    HsmKey pair = freshLabel();
    hsm.generateKeyPair(pair, KeyPairType.EC_P256);
    hsm.sign(pair, SignatureAlgorithm.ECDSA_SHA256, new byte[1]);

    hsm.destroyKey(secret);
    hsm.destroyKey(pair);

    assertThat(hsm.contains(secret)).isFalse();
    assertThatThrownBy(() -> hsm.encryptAesGcm(secret, new byte[12], new byte[1], new byte[0]))
        .isInstanceOf(KeyUnavailableException.class);
    assertThatThrownBy(() -> hsm.sign(pair, SignatureAlgorithm.ECDSA_SHA256, new byte[1]))
        .isInstanceOf(KeyUnavailableException.class);
    assertThatThrownBy(() -> hsm.publicKey(pair)).isInstanceOf(KeyUnavailableException.class);
    assertThatThrownBy(() -> hsm.destroyKey(secret)).isInstanceOf(KeyUnavailableException.class);
    hsm.generateKeyPair(pair, KeyPairType.EC_P256);
    hsm.destroyKey(pair);
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
  void aRefusedPinIsNotTriedAgainUntilTheHsmIsReopened(Backend backend) {
    AtomicInteger pinReads = new AtomicInteger();
    PinSource counting =
        () -> {
          pinReads.incrementAndGet();
          return "wrong-pin".toCharArray();
        };
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    HsmConfig config =
        SoftHsm.get()
            .config(SoftHsm.PIN_TOKEN)
            .backend(backend)
            .pinSource(counting)
            .auditSink(events::add)
            .build();
    try (Hsm hsm = Hsm.open(config)) {
      assertThatThrownBy(() -> hsm.random(16)).isInstanceOf(KeyAccessDeniedException.class);
      for (int i = 0; i < 3; i++) {
        HsmKey anyKey = freshLabel();
        assertThatThrownBy(() -> hsm.encryptAesGcm(anyKey, new byte[12], new byte[1], new byte[0]))
            .isInstanceOf(KeyAccessDeniedException.class)
            .hasMessageContaining(SoftHsm.PIN_TOKEN)
            .hasMessageContaining("refused the PIN")
            .hasMessageContaining("CKR_PIN_INCORRECT")
            .hasMessageNotContaining("wrong-pin")
            .satisfies(e -> assertThat(ReturnCode.of(e)).contains(ReturnCode.CKR_PIN_INCORRECT));
      }
      assertThat(pinReads).hasValue(1);
      assertThat(events)
          .filteredOn(e -> e.operation() == AuditEvent.Operation.HSM_LOGIN)
          .hasSize(1);
    }
    try (Hsm reopened = Hsm.open(config)) {
      assertThatThrownBy(() -> reopened.random(16)).isInstanceOf(KeyAccessDeniedException.class);
      assertThatThrownBy(() -> reopened.random(16)).isInstanceOf(KeyAccessDeniedException.class);
    }
    assertThat(pinReads).hasValue(2);
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
