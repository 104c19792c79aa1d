package com.plugsky.crypto.pkcs11.check;

import com.fasterxml.jackson.databind.JsonNode;
import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.pkcs11.Capabilities;
import com.plugsky.crypto.pkcs11.Capabilities.Operation;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import com.plugsky.crypto.pkcs11.check.CheckResult.Status;
import com.plugsky.crypto.pkcs11.check.WycheproofFile.Verdict;
import com.plugsky.crypto.pkcs11.ffm.PublicSession;
import com.plugsky.crypto.pkcs11.ffm.TokenDirectory;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Validates a PKCS#11 module and token for this library, using only standard PKCS#11 behaviour
 * (vendor quirks come from {@link HsmConfig#quirks()}): login, the mechanism inventory against what
 * the library needs, random numbers, known-answer tests through the HSM (AES-256-GCM from the GCM
 * specification, AES key wrap with padding from RFC 5649 and against the JDK, HMAC-SHA256 from RFC
 * 4231), Wycheproof vector files run through the HSM with imported keys (AES-GCM, key wrap with
 * padding, ECDSA P-256 verification; see {@link VectorFileResult}), ECDSA P-256/P-384 and RSA-2048
 * signatures verified by the JDK, negative tests (modified tag, other associated data, wrong key,
 * use by a process that is not logged in, missing key, malformed input, forged signatures), a
 * concurrency test across the session pool, and ops/s per operation.
 *
 * <p>Keys it needs are created in the token under {@code hsm-check-<random>} labels and destroyed
 * at the end. A check the backend cannot drive on the token is skipped with the reason; after a
 * failed login every later check is skipped, and so is every check but the clean-up when the
 * token's capabilities could not be read.
 *
 * <pre>{@code
 * HsmCheckReport report = HsmCheck.run(config, ProgressListener.NONE);
 * System.out.print(report.summary());
 * System.exit(report.exitCode());
 * }</pre>
 */
public final class HsmCheck {
  private static final HexFormat HEX = HexFormat.of();
  private static final Duration RATE_BUDGET = Duration.ofMillis(250);
  private static final int CONCURRENCY_ROUNDS = 50;

  /** The first check's name: it opens the token and logs in, and every other check needs it. */
  static final String LOGIN = "login";

  private static final String MECHANISMS = "mechanisms";
  private static final String CLEANUP = "cleanup";

  private final HsmConfig config;
  private final ProgressListener listener;
  private final Function<HsmConfig, Hsm> opener;
  private final List<CheckResult> results = new ArrayList<>();
  private final List<HsmKey> created = new ArrayList<>();
  private final String prefix = "hsm-check-" + UUID.randomUUID() + "-";
  private Hsm hsm;
  private Capabilities capabilities;
  private TokenDirectory.ModuleInfo library;
  private TokenDirectory.TokenInfo tokenInfo;

  private HsmCheck(HsmConfig config, ProgressListener listener, Function<HsmConfig, Hsm> opener) {
    this.config = config;
    this.listener = listener;
    this.opener = opener;
  }

  /** Runs every check on the token {@code config} names, reporting progress to {@code listener}. */
  public static HsmCheckReport run(HsmConfig config, ProgressListener listener) {
    return run(config, listener, Hsm::open);
  }

  /**
   * {@link #run(HsmConfig, ProgressListener)} on the Hsm {@code opener} makes of {@code config}.
   */
  static HsmCheckReport run(
      HsmConfig config, ProgressListener listener, Function<HsmConfig, Hsm> opener) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(listener, "listener");
    return new HsmCheck(config, listener, opener).runAll();
  }

  /** A check's body: returns what it verified, or throws to fail. */
  @FunctionalInterface
  private interface Body {
    Outcome run() throws Exception;
  }

  /**
   * What a check verified, the rate it measured if any, and how the vector files it ran fared: the
   * check fails if any of them did not pass.
   */
  record Outcome(String detail, OptionalDouble opsPerSecond, List<VectorFileResult> vectors) {
    static Outcome of(String detail) {
      return new Outcome(detail, OptionalDouble.empty(), List.of());
    }

    static Outcome of(String detail, double opsPerSecond) {
      return new Outcome(detail, OptionalDouble.of(opsPerSecond), List.of());
    }

    static Outcome ofVectors(String detail, VectorFileResult vectors, OptionalDouble opsPerSecond) {
      return new Outcome(detail, opsPerSecond, List.of(vectors));
    }

    CheckResult result(String name, Duration elapsed) {
      List<String> failed =
          vectors.stream().filter(file -> !file.passed()).map(VectorFileResult::file).toList();
      if (failed.isEmpty()) {
        return new CheckResult(name, Status.PASS, elapsed, detail, opsPerSecond, vectors);
      }
      return new CheckResult(
          name,
          Status.FAIL,
          elapsed,
          "not passed: " + String.join(", ", failed) + "; " + detail,
          opsPerSecond,
          vectors);
    }
  }

  /** Thrown by a check that found the token misbehaving. */
  private static final class CheckFailed extends Exception {
    CheckFailed(String message) {
      super(message);
    }
  }

  /** Thrown by a check that cannot run here, with why (e.g. the backend cannot drive it). */
  private static final class CheckSkipped extends Exception {
    CheckSkipped(String message) {
      super(message);
    }
  }

  private HsmCheckReport runAll() {
    Instant startedAt = Instant.now();
    String token = config.tokenLabel().orElse("slot " + config.slotId().orElse(-1));
    try {
      check(LOGIN, null, this::login);
      describeModuleAndToken();
      check(MECHANISMS, null, this::mechanisms);
      check("random", Operation.RANDOM, this::random);
      check("aes-gcm-kat", Operation.AES_GCM, this::aesGcmKnownAnswer);
      check("aes-gcm-negative", Operation.AES_GCM, this::aesGcmNegative);
      check("key-wrap-pad", Operation.AES_KEY_WRAP_PAD, this::keyWrapPad);
      check(
          "ecdsa-p256",
          Operation.EC_P256,
          () -> signatures(KeyPairType.EC_P256, SignatureAlgorithm.ECDSA_SHA256));
      check(
          "ecdsa-p384",
          Operation.EC_P384,
          () -> signatures(KeyPairType.EC_P384, SignatureAlgorithm.ECDSA_SHA384));
      check(
          "rsa-2048",
          Operation.RSA,
          () ->
              signatures(
                  KeyPairType.RSA_2048,
                  SignatureAlgorithm.RSA_PSS_SHA256,
                  SignatureAlgorithm.RSA_PSS_SHA384,
                  SignatureAlgorithm.RSA_PKCS1_SHA256));
      check("hmac-sha256-kat", Operation.HMAC_SHA256, this::hmac);
      check("aes-gcm-wycheproof", Operation.AES_GCM, this::aesGcmVectors);
      check("key-wrap-pad-wycheproof", Operation.AES_KEY_WRAP_PAD, this::keyWrapPadVectors);
      check("ecdsa-p256-wycheproof", Operation.EC_P256, this::ecdsaVectors);
      check("wrong-key", null, this::wrongKey);
      check("logged-out", Operation.AES_GCM, this::loggedOut);
      check("errors", Operation.AES_GCM, this::errors);
      check("concurrency", Operation.AES_GCM, this::concurrency);
      if (hsm != null) {
        check(CLEANUP, null, this::cleanUp);
        token = capabilities != null ? capabilities.token() : token;
      }
    } finally {
      if (hsm != null) {
        hsm.close();
      }
    }
    Map<String, String> unavailable = new TreeMap<>();
    if (capabilities != null) {
      capabilities
          .unavailable()
          .forEach((operation, reason) -> unavailable.put(operation.name(), reason));
    }
    return new HsmCheckReport(
        config.modulePath().toString(),
        token,
        config.backend().name().toLowerCase(Locale.ROOT),
        startedAt,
        results,
        capabilities == null ? new TreeSet<>() : capabilities.mechanisms(),
        unavailable,
        library,
        tokenInfo);
  }

  /**
   * Reads CK_INFO and CK_TOKEN_INFO for the report, also when the login failed (a refused PIN still
   * leaves a token worth describing); what cannot be read stays out of the report, as the login
   * check already says why.
   */
  private void describeModuleAndToken() {
    try {
      library = TokenDirectory.moduleInfo(config.modulePath());
      long slot =
          config.slotId().isPresent()
              ? config.slotId().getAsLong()
              : TokenDirectory.slotOf(config.modulePath(), config.tokenLabel().orElseThrow());
      tokenInfo = TokenDirectory.tokenInfo(config.modulePath(), slot);
    } catch (RuntimeException unreadable) {
      // Reported by the login check.
    }
  }

  private void check(String name, Operation needs, Body body) {
    listener.started(name);
    long start = System.nanoTime();
    CheckResult result;
    if (hsm == null && !name.equals(LOGIN)) {
      result = result(name, Status.SKIP, start, "the login check failed", OptionalDouble.empty());
    } else if (capabilities == null
        && !name.equals(LOGIN)
        && !name.equals(MECHANISMS)
        && !name.equals(CLEANUP)) {
      // Every other check chooses what to run from the capabilities.
      result =
          result(
              name,
              Status.SKIP,
              start,
              "the mechanisms check could not read what the token and backend can do",
              OptionalDouble.empty());
    } else if (needs != null && !capabilities.supports(needs)) {
      result =
          result(
              name,
              Status.SKIP,
              start,
              capabilities.unavailable().get(needs),
              OptionalDouble.empty());
    } else {
      try {
        Outcome outcome = body.run();
        result = outcome.result(name, Duration.ofNanos(System.nanoTime() - start));
      } catch (CheckSkipped e) {
        result = result(name, Status.SKIP, start, e.getMessage(), OptionalDouble.empty());
      } catch (Exception e) {
        String detail =
            e instanceof CheckFailed
                ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
        result = result(name, Status.FAIL, start, detail, OptionalDouble.empty());
      }
    }
    results.add(result);
    listener.finished(result);
  }

  private static CheckResult result(
      String name, Status status, long start, String detail, OptionalDouble rate) {
    return new CheckResult(name, status, Duration.ofNanos(System.nanoTime() - start), detail, rate);
  }

  // --- checks -----------------------------------------------------------------------------

  private Outcome login() {
    Hsm opened = opener.apply(config);
    try {
      // The first call that needs a session logs in.
      opened.contains(HsmKey.label(prefix + "probe"));
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
    hsm = opened;
    return Outcome.of("opened the token and logged in as the user");
  }

  private Outcome mechanisms() throws CheckFailed {
    capabilities = hsm.capabilities();
    Map<Operation, String> missing = new EnumMap<>(Operation.class);
    missing.putAll(capabilities.unavailable());
    String inventory = capabilities.mechanisms().size() + " mechanisms; ";
    if (missing.containsKey(Operation.AES_GCM)) {
      throw new CheckFailed(
          inventory
              + "AES-GCM, which pkcs11: key-encryption keys need, is missing: "
              + missing.get(Operation.AES_GCM));
    }
    return Outcome.of(
        inventory
            + (missing.isEmpty()
                ? "every operation of the library is available"
                : "not available: "
                    + String.join(", ", missing.keySet().stream().map(Enum::name).toList())));
  }

  private Outcome random() throws CheckFailed {
    byte[] first = hsm.random(32);
    byte[] second = hsm.random(32);
    require(
        first.length == 32 && !Arrays.equals(first, second), "two 32-byte random reads were equal");
    require(!Arrays.equals(first, new byte[32]), "the token returned 32 zero bytes as random");
    return Outcome.of("two 32-byte reads differ and are not all zero", rate(() -> hsm.random(32)));
  }

  /** AES-256 test case 16 of the GCM specification (McGrew and Viega), with associated data. */
  private Outcome aesGcmKnownAnswer() throws CheckFailed {
    HsmKey key = newKey();
    hsm.importAesKey(
        key, HEX.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"));
    byte[] iv = HEX.parseHex("cafebabefacedbaddecaf888");
    byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    byte[] plaintext =
        HEX.parseHex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    byte[] expected =
        HEX.parseHex(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
                + "76fc6ece0f4e1768cddf8853bb2d551b");
    require(
        Arrays.equals(hsm.encryptAesGcm(key, iv, plaintext, aad), expected),
        "AES-256-GCM encryption does not match GCM test case 16");
    require(
        Arrays.equals(hsm.decryptAesGcm(key, iv, expected, aad), plaintext),
        "AES-256-GCM decryption does not match GCM test case 16");
    byte[] kib = new byte[1024];
    return Outcome.of(
        "GCM spec test case 16 encrypts and decrypts (1 KiB encrypt timed)",
        rate(() -> hsm.encryptAesGcm(key, iv, kib, new byte[0])));
  }

  private Outcome aesGcmNegative() throws CheckFailed {
    HsmKey key = newKey();
    hsm.generateAesKey(key);
    HsmKey other = newKey();
    hsm.generateAesKey(other);
    byte[] iv = hsm.random(12);
    byte[] aad = {1, 2, 3};
    byte[] sealed = hsm.encryptAesGcm(key, iv, new byte[64], aad);
    byte[] tampered = sealed.clone();
    tampered[tampered.length - 1] ^= 1;
    expectFailure(
        AuthenticationFailedException.class,
        "a modified tag",
        () -> hsm.decryptAesGcm(key, iv, tampered, aad));
    expectFailure(
        AuthenticationFailedException.class,
        "other associated data",
        () -> hsm.decryptAesGcm(key, iv, sealed, new byte[] {1, 2, 4}));
    expectFailure(
        AuthenticationFailedException.class,
        "the wrong key",
        () -> hsm.decryptAesGcm(other, iv, sealed, aad));
    return Outcome.of(
        "a modified tag, other associated data and the wrong key are refused as"
            + " authentication failures");
  }

  private Outcome keyWrapPad() throws CheckFailed, GeneralSecurityException {
    HsmKey kek = newKey();
    byte[] kekBytes = HEX.parseHex("5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8");
    hsm.importAesKey(kek, kekBytes);
    List<String> verified = new ArrayList<>();
    byte[] rfcKey = HEX.parseHex("c37b7e6492584340bed12207808941155068f738");
    byte[] rfcWrapped =
        HEX.parseHex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
    try {
      byte[] wrapped = hsm.wrapKeyPad(kek, rfcKey);
      require(
          Arrays.equals(wrapped, rfcWrapped),
          "CKM_AES_KEY_WRAP_PAD does not match RFC 5649's 20-octet example");
      require(
          Arrays.equals(hsm.unwrapKeyPad(kek, rfcWrapped), rfcKey),
          "CKM_AES_KEY_WRAP_PAD unwrap does not match RFC 5649's 20-octet example");
      verified.add("RFC 5649's 20-octet example");
    } catch (InvalidInputException e) {
      verified.add("not RFC 5649's 20-octet example (" + e.getMessage() + ")");
    }
    byte[] secret =
        HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    Cipher jdk = Cipher.getInstance("AES/KWP/NoPadding");
    jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kekBytes, "AES"));
    byte[] expected = jdk.doFinal(secret);
    require(
        Arrays.equals(hsm.wrapKeyPad(kek, secret), expected),
        "CKM_AES_KEY_WRAP_PAD of a 32-byte secret differs from the JDK's AES/KWP");
    require(
        Arrays.equals(hsm.unwrapKeyPad(kek, expected), secret),
        "CKM_AES_KEY_WRAP_PAD unwrap of the JDK's AES/KWP output differs");
    verified.add("a 32-byte secret both ways against the JDK");
    byte[] tampered = expected.clone();
    tampered[3] ^= 1;
    expectFailure(
        AuthenticationFailedException.class,
        "modified wrapped bytes",
        () -> hsm.unwrapKeyPad(kek, tampered));
    verified.add("modified bytes refused");
    return Outcome.of(
        String.join("; ", verified) + " (32-byte wrap timed)",
        rate(() -> hsm.wrapKeyPad(kek, secret)));
  }

  private Outcome signatures(KeyPairType type, SignatureAlgorithm... algorithms)
      throws CheckFailed, GeneralSecurityException {
    HsmKey key = newKey();
    hsm.generateKeyPair(key, type);
    PublicKey publicKey = hsm.publicKey(key);
    byte[] data = "hsm-check signed data".getBytes(StandardCharsets.UTF_8);
    List<String> names = new ArrayList<>();
    for (SignatureAlgorithm algorithm : algorithms) {
      byte[] signature = hsm.sign(key, algorithm, data);
      Signature jdk = Signature.getInstance(algorithm.jcaName());
      if (algorithm.jcaParameters().isPresent()) {
        jdk.setParameter(algorithm.jcaParameters().get());
      }
      jdk.initVerify(publicKey);
      jdk.update(data);
      require(jdk.verify(signature), algorithm + " signature does not verify in the JDK");
      require(
          hsm.verify(key, algorithm, data, signature),
          algorithm + " signature does not verify in the HSM");
      byte[] forged = signature.clone();
      forged[forged.length / 2] ^= 1;
      require(
          !hsm.verify(key, algorithm, data, forged),
          "the HSM accepted a forged " + algorithm + " signature");
      names.add(algorithm.name());
    }
    return Outcome.of(
        type
            + " generated in the token; "
            + String.join(", ", names)
            + " verified by the JDK and the HSM, forgeries refused ("
            + algorithms[0]
            + " timed)",
        rate(() -> hsm.sign(key, algorithms[0], data)));
  }

  /** RFC 4231 test case 6 (a 131-byte key: modules may refuse HMAC keys under 32 bytes). */
  private Outcome hmac() throws CheckFailed {
    HsmKey key = newKey();
    hsm.importHmacKey(key, HEX.parseHex("aa".repeat(131)));
    byte[] data =
        "Test Using Larger Than Block-Size Key - Hash Key First"
            .getBytes(StandardCharsets.US_ASCII);
    byte[] expected =
        HEX.parseHex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    require(
        Arrays.equals(hsm.hmacSha256(key, data), expected),
        "HMAC-SHA256 does not match RFC 4231 test case 6");
    require(
        hsm.verifyHmacSha256(key, data, expected), "the HSM refused RFC 4231 test case 6's MAC");
    byte[] forged = expected.clone();
    forged[0] ^= 1;
    require(!hsm.verifyHmacSha256(key, data, forged), "the HSM accepted a forged MAC");
    return Outcome.of(
        "RFC 4231 test case 6 matches; a forged MAC is refused",
        rate(() -> hsm.hmacSha256(key, data)));
  }

  /**
   * Wycheproof's AES-GCM tests with the library's parameters (256-bit key, 96-bit IV, 128-bit tag),
   * each key imported into the token: a valid test must encrypt to its ciphertext and tag and
   * decrypt back, an invalid one (modified tag or ciphertext) must be refused.
   */
  private Outcome aesGcmVectors() {
    WycheproofFile file = WycheproofFile.load("aes_gcm_test.json");
    Map<String, HsmKey> keys = new LinkedHashMap<>();
    try {
      VectorFileResult result =
          file.run(
              c -> {
                if (c.groupInt("keySize") != 256
                    || c.groupInt("ivSize") != 96
                    || c.groupInt("tagSize") != 128) {
                  return Verdict.SKIP;
                }
                HsmKey key = importedAesKey(keys, c.bytes("key"));
                byte[] iv = c.bytes("iv");
                byte[] aad = c.bytes("aad");
                byte[] sealed = concat(c.bytes("ct"), c.bytes("tag"));
                if (!c.valid()) {
                  return refused("decryption", () -> hsm.decryptAesGcm(key, iv, sealed, aad));
                }
                byte[] msg = c.bytes("msg");
                if (!Arrays.equals(hsm.encryptAesGcm(key, iv, msg, aad), sealed)) {
                  return Verdict.fail("encryption differs from ct || tag");
                }
                if (!Arrays.equals(hsm.decryptAesGcm(key, iv, sealed, aad), msg)) {
                  return Verdict.fail("decryption differs from msg");
                }
                return Verdict.PASS;
              });
      OptionalDouble rate = OptionalDouble.empty();
      if (!keys.isEmpty()) {
        HsmKey key = keys.values().iterator().next();
        byte[] iv = hsm.random(12);
        byte[] sealed = hsm.encryptAesGcm(key, iv, new byte[1024], new byte[0]);
        rate = OptionalDouble.of(rate(() -> hsm.decryptAesGcm(key, iv, sealed, new byte[0])));
      }
      return Outcome.ofVectors(
          "tests with a 256-bit key, 96-bit IV and 128-bit tag run; "
              + keys.size()
              + " keys imported (1 KiB decrypt timed)",
          result,
          rate);
    } finally {
      destroyQuietly(keys.values());
    }
  }

  /**
   * Wycheproof's key-wrap-with-padding (RFC 5649) tests under a 256-bit KEK through
   * CKM_AES_KEY_WRAP_PAD: a valid test must wrap to its ciphertext and unwrap back, an invalid one
   * must be refused on unwrap. On a module that pads secrets before wrapping (the {@code
   * KEY_WRAP_PAD_PADS_INPUT} quirk), valid tests whose key data is not a multiple of 8 bytes are
   * skipped: the backend refuses to wrap them.
   */
  private Outcome keyWrapPadVectors() {
    WycheproofFile file = WycheproofFile.load("aes_kwp_test.json");
    Map<String, HsmKey> keys = new LinkedHashMap<>();
    List<Runnable> timed = new ArrayList<>();
    int[] unaligned = {0};
    try {
      VectorFileResult result =
          file.run(
              c -> {
                if (c.groupInt("keySize") != 256) {
                  return Verdict.SKIP;
                }
                HsmKey kek = importedAesKey(keys, c.bytes("key"));
                byte[] ct = c.bytes("ct");
                if (!c.valid()) {
                  return refused("unwrap", () -> hsm.unwrapKeyPad(kek, ct));
                }
                byte[] msg = c.bytes("msg");
                byte[] wrapped;
                try {
                  wrapped = hsm.wrapKeyPad(kek, msg);
                } catch (InvalidInputException e) {
                  if (msg.length % 8 == 0) {
                    throw e;
                  }
                  unaligned[0]++;
                  return Verdict.SKIP;
                }
                if (!Arrays.equals(wrapped, ct)) {
                  return Verdict.fail("wrap differs from ct");
                }
                if (!Arrays.equals(hsm.unwrapKeyPad(kek, ct), msg)) {
                  return Verdict.fail("unwrap differs from msg");
                }
                if (timed.isEmpty()) {
                  timed.add(() -> hsm.unwrapKeyPad(kek, ct));
                }
                return Verdict.PASS;
              });
      return Outcome.ofVectors(
          "tests under a 256-bit KEK run; "
              + keys.size()
              + " KEKs imported"
              + (unaligned[0] == 0
                  ? ""
                  : "; "
                      + unaligned[0]
                      + " valid tests of key data not a multiple of 8 bytes skipped, which this"
                      + " module pads before wrapping")
              + " (unwrap timed)",
          result,
          rateOfFirst(timed));
    } finally {
      destroyQuietly(keys.values());
    }
  }

  /**
   * Wycheproof's ECDSA P-256 SHA-256 verification tests with r || s signatures (the form the HSM
   * takes): each group's public key is imported into the token as a session object and the HSM must
   * accept exactly the valid signatures.
   */
  private Outcome ecdsaVectors() throws CheckSkipped, GeneralSecurityException {
    WycheproofFile file = WycheproofFile.load("ecdsa_secp256r1_sha256_p1363_test.json");
    Map<JsonNode, HsmKey> keys = new IdentityHashMap<>();
    List<Runnable> timed = new ArrayList<>();
    try {
      if (!file.cases().isEmpty()) {
        JsonNode group = file.cases().getFirst().group();
        try {
          keys.put(group, importedPublicKey(group));
        } catch (ConfigurationException | InvalidInputException e) {
          // A token may refuse public key objects made from outside; that is no wrong answer.
          throw new CheckSkipped("cannot import a public key: " + e.getMessage());
        }
      }
      VectorFileResult result =
          file.run(
              c -> {
                if (!c.group().path("sha").asText().equals("SHA-256")
                    || !c.group().path("publicKey").path("curve").asText().equals("secp256r1")) {
                  return Verdict.SKIP;
                }
                HsmKey key = keys.get(c.group());
                if (key == null) {
                  key = importedPublicKey(c.group());
                  keys.put(c.group(), key);
                }
                byte[] msg = c.bytes("msg");
                byte[] sig = c.bytes("sig");
                HsmKey publicKey = key;
                boolean accepted;
                try {
                  accepted = hsm.verify(publicKey, SignatureAlgorithm.ECDSA_SHA256, msg, sig);
                } catch (InvalidInputException e) {
                  accepted = false;
                }
                if (accepted != c.valid()) {
                  return Verdict.fail(
                      c.valid()
                          ? "a valid signature was refused"
                          : "an invalid signature verified");
                }
                if (accepted && timed.isEmpty()) {
                  timed.add(() -> hsm.verify(publicKey, SignatureAlgorithm.ECDSA_SHA256, msg, sig));
                }
                return Verdict.PASS;
              });
      return Outcome.ofVectors(
          "every test run; "
              + keys.size()
              + " public keys imported as session objects (verify timed)",
          result,
          rateOfFirst(timed));
    } finally {
      destroyQuietly(keys.values());
    }
  }

  /**
   * A key other than the one that protected data must not open or verify it. AES-GCM decryption
   * under another key is part of {@code aes-gcm-negative}; this covers unwrap, HMAC and ECDSA.
   */
  private Outcome wrongKey() throws CheckFailed, CheckSkipped {
    List<String> refused = new ArrayList<>();
    byte[] data = "hsm-check wrong-key".getBytes(StandardCharsets.US_ASCII);
    if (capabilities.supports(Operation.AES_KEY_WRAP_PAD)) {
      HsmKey kek = newKey();
      hsm.generateAesKey(kek);
      HsmKey other = newKey();
      hsm.generateAesKey(other);
      byte[] wrapped = hsm.wrapKeyPad(kek, hsm.random(32));
      expectFailure(
          AuthenticationFailedException.class,
          "unwrapping under another KEK",
          () -> hsm.unwrapKeyPad(other, wrapped));
      refused.add("an unwrap under another KEK");
    }
    if (capabilities.supports(Operation.HMAC_SHA256)) {
      HsmKey key = newKey();
      hsm.generateHmacKey(key);
      HsmKey other = newKey();
      hsm.generateHmacKey(other);
      require(
          !hsm.verifyHmacSha256(other, data, hsm.hmacSha256(key, data)),
          "the HSM accepted an HMAC-SHA256 tag under another key");
      refused.add("an HMAC-SHA256 tag under another key");
    }
    if (capabilities.supports(Operation.EC_P256)) {
      HsmKey key = newKey();
      hsm.generateKeyPair(key, KeyPairType.EC_P256);
      HsmKey other = newKey();
      hsm.generateKeyPair(other, KeyPairType.EC_P256);
      byte[] signature = hsm.sign(key, SignatureAlgorithm.ECDSA_SHA256, data);
      require(
          !hsm.verify(other, SignatureAlgorithm.ECDSA_SHA256, data, signature),
          "the HSM verified an ECDSA signature under another key");
      refused.add("an ECDSA P-256 signature under another key");
    }
    if (refused.isEmpty()) {
      throw new CheckSkipped("the token offers none of key wrap, HMAC or EC P-256 here");
    }
    return Outcome.of(
        String.join(", ", refused) + " refused (AES-GCM under another key: aes-gcm-negative)");
  }

  /**
   * A process that never logged in opens a session and tries to encrypt with a private, sensitive
   * AES key and to sign with an EC private key the check made: the token must hide the keys or
   * refuse. A new JVM does it because PKCS#11 login state is per application.
   */
  private Outcome loggedOut() throws Exception {
    HsmKey secret = newKey();
    hsm.generateAesKey(secret);
    // "Not visible" below means something only if a logged-in search by the label finds the key.
    require(hsm.contains(secret), "a logged-in search does not find the AES key just made");
    HsmKey pair = null;
    // SunPKCS11's KeyStore names a private key through its certificate, not the key's CKA_LABEL,
    // so a search by label could not tell a hidden key from an unlabelled one.
    boolean labelledPairs = config.backend() != HsmConfig.Backend.SUNPKCS11;
    if (labelledPairs && capabilities.supports(Operation.EC_P256)) {
      pair = newKey();
      hsm.generateKeyPair(pair, KeyPairType.EC_P256);
    }
    List<String> attempts;
    try {
      attempts = LoggedOutProbe.run(config, secret, pair);
    } catch (LoggedOutProbe.NotStarted e) {
      throw new CheckSkipped(e.getMessage());
    }
    require(
        attempts.size() == (pair == null ? 1 : 2),
        "the logged-out process printed " + String.join(" | ", attempts));
    List<String> outcomes = new ArrayList<>();
    for (String attempt : attempts) {
      String[] parts = attempt.split(" ", 3);
      require(parts.length == 3, "the logged-out process printed " + attempt);
      String what = parts[0].equals("secret") ? "AES key" : "EC private key";
      require(
          !parts[1].equals(PublicSession.Access.ALLOWED.name()),
          "a session that is not logged in could use the " + what + ": " + parts[2]);
      outcomes.add(
          what
              + (parts[1].equals(PublicSession.Access.NOT_VISIBLE.name())
                  ? " not visible"
                  : " refused (" + parts[2] + ")"));
    }
    return Outcome.of(
        "a new process's session that is not logged in: "
            + String.join("; ", outcomes)
            + (labelledPairs ? "" : " (private keys not tried through sunpkcs11)"));
  }

  private Outcome errors() throws CheckFailed {
    HsmKey missing = HsmKey.label(prefix + "missing");
    expectFailure(
        KeyUnavailableException.class,
        "a missing key",
        () -> hsm.encryptAesGcm(missing, new byte[12], new byte[1], new byte[0]));
    HsmKey key = newKey();
    hsm.generateAesKey(key);
    expectFailure(
        MalformedCiphertextException.class,
        "a ciphertext shorter than its tag",
        () -> hsm.decryptAesGcm(key, new byte[12], new byte[5], new byte[0]));
    expectFailure(
        InvalidInputException.class,
        "an empty IV",
        () -> hsm.encryptAesGcm(key, new byte[0], new byte[1], new byte[0]));
    expectFailure(
        InvalidInputException.class,
        "a second key under a taken label",
        () -> {
          hsm.generateAesKey(key);
          return null;
        });
    return Outcome.of(
        "a missing key, a short ciphertext, an empty IV and a taken label each give their"
            + " typed exception");
  }

  private Outcome concurrency() throws Exception {
    HsmKey key = newKey();
    hsm.generateAesKey(key);
    int threads = Math.max(2, config.maxSessions());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long start = System.nanoTime();
      List<Future<Boolean>> rounds = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        rounds.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < CONCURRENCY_ROUNDS; i++) {
                    byte[] iv = hsm.random(12);
                    byte[] plaintext = hsm.random(256);
                    if (!Arrays.equals(
                        plaintext,
                        hsm.decryptAesGcm(
                            key, iv, hsm.encryptAesGcm(key, iv, plaintext, iv), iv))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> round : rounds) {
        require(round.get(), "a concurrent AES-GCM round trip returned other bytes");
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return Outcome.of(
          threads
              + " threads x "
              + CONCURRENCY_ROUNDS
              + " AES-GCM round trips over "
              + config.maxSessions()
              + " pooled sessions, all correct (round trips/s)",
          threads * CONCURRENCY_ROUNDS / seconds);
    } finally {
      pool.shutdownNow();
    }
  }

  private Outcome cleanUp() throws CheckFailed {
    List<String> left = new ArrayList<>();
    for (HsmKey key : created) {
      try {
        hsm.destroyKey(key);
      } catch (KeyUnavailableException e) {
        // Never created: its check failed before.
      } catch (CryptoException e) {
        left.add(key + " (" + e.getMessage() + ")");
      }
    }
    require(left.isEmpty(), "could not destroy " + String.join(", ", left));
    return Outcome.of("destroyed the " + created.size() + " keys the checks made");
  }

  // --- helpers ----------------------------------------------------------------------------

  /** The token key holding AES key {@code value}, imported on first use. */
  private HsmKey importedAesKey(Map<String, HsmKey> keys, byte[] value) {
    String name = HEX.formatHex(value);
    HsmKey key = keys.get(name);
    if (key == null) {
      key = newKey();
      hsm.importAesKey(key, value);
      keys.put(name, key);
    }
    return key;
  }

  /** A Wycheproof group's public key ({@code publicKeyDer}), imported as a session object. */
  private HsmKey importedPublicKey(JsonNode group) throws GeneralSecurityException {
    ECPublicKey publicKey =
        (ECPublicKey)
            KeyFactory.getInstance("EC")
                .generatePublic(new X509EncodedKeySpec(WycheproofFile.hex(group, "publicKeyDer")));
    HsmKey key = newKey();
    hsm.importEcPublicKey(key, publicKey);
    return key;
  }

  /** Destroys the keys a vector check imported; cleanup reports any left. */
  private void destroyQuietly(Collection<HsmKey> keys) {
    for (HsmKey key : keys) {
      try {
        hsm.destroyKey(key);
      } catch (CryptoException e) {
        // The cleanup check tries again and reports what stays.
      }
    }
  }

  /** Passes when {@code call} is refused as an authentication failure or as bad input. */
  private static Verdict refused(String what, Supplier<?> call) {
    try {
      call.get();
    } catch (AuthenticationFailedException | InvalidInputException e) {
      return Verdict.PASS;
    }
    return Verdict.fail(what + " accepted it");
  }

  private static byte[] concat(byte[] first, byte[] second) {
    byte[] out = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, out, first.length, second.length);
    return out;
  }

  private HsmKey newKey() {
    HsmKey key = HsmKey.label(prefix + created.size());
    created.add(key);
    return key;
  }

  private static void require(boolean condition, String failure) throws CheckFailed {
    if (!condition) {
      throw new CheckFailed(failure);
    }
  }

  private static void expectFailure(
      Class<? extends CryptoException> expected, String what, Supplier<?> call) throws CheckFailed {
    try {
      call.get();
    } catch (CryptoException e) {
      if (expected.isInstance(e)) {
        return;
      }
      throw new CheckFailed(
          what
              + " gave "
              + e.getClass().getSimpleName()
              + " ("
              + e.getMessage()
              + "), expected "
              + expected.getSimpleName());
    }
    throw new CheckFailed(what + " was accepted; expected " + expected.getSimpleName());
  }

  /** Calls {@code operation} for about {@link #RATE_BUDGET}, one thread; calls per second. */
  /** The ops/s of the operation a vector run kept for timing, when it kept one. */
  private static OptionalDouble rateOfFirst(List<Runnable> timed) {
    if (timed.isEmpty()) {
      return OptionalDouble.empty();
    }
    Runnable operation = timed.getFirst();
    return OptionalDouble.of(
        rate(
            () -> {
              operation.run();
              return null;
            }));
  }

  private static double rate(Supplier<?> operation) {
    long budget = RATE_BUDGET.toNanos();
    long start = System.nanoTime();
    long calls = 0;
    long elapsed;
    do {
      operation.get();
      calls++;
      elapsed = System.nanoTime() - start;
    } while (elapsed < budget);
    return calls / (elapsed / 1e9);
  }
}
