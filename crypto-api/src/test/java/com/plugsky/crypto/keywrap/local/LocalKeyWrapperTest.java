package com.plugsky.crypto.keywrap.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.CryptoRandom;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LocalKeyWrapperTest {
  private static final KeyRef DEFAULT = KeyRef.parse("local:default");
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of("tenant", "acme", "purpose", "orders");

  private static final String GOLDEN_KEK =
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

  @TempDir Path keys;
  private final List<AuditEvent> events = Collections.synchronizedList(new ArrayList<>());
  private LocalKeyWrapper wrapper;

  @BeforeEach
  void setUp() {
    // Checks its key files on every call, so that tests of changed files need not wait.
    wrapper =
        LocalKeyWrapper.builder()
            .keyDirectory(keys)
            .keyFileRecheck(Duration.ZERO)
            .auditSink(events::add)
            .build();
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 17, 24, 32, 48, 64})
  void roundTrips(int length) {
    byte[] dataKey = CryptoRandom.bytes(length);
    WrappedKey wrapped = wrapper.wrap(DEFAULT, dataKey, CONTEXT);
    assertThat(wrapped.keyRef()).isEqualTo(DEFAULT);
    assertThat(wrapped.length()).isEqualTo(1 + 16 + 4 + length + 16);
    assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
  }

  @Test
  void wrappedBytesFollowTheDocumentedFormat() throws Exception {
    byte[] dataKey = CryptoRandom.bytes(32);
    byte[] wrapped = wrapper.wrap(DEFAULT, dataKey, CONTEXT).bytes();
    assertThat(wrapped).hasSize(69);
    assertThat(wrapped[0]).isEqualTo((byte) 2);

    byte[] kek = Files.readAllBytes(keys.resolve("default.kek"));
    byte[] salt = Arrays.copyOfRange(wrapped, 1, 17);
    byte[] nonce = new byte[12];
    System.arraycopy(wrapped, 17, nonce, 8, 4);
    byte[] info = "plugsky local wrap v2".getBytes(StandardCharsets.US_ASCII);
    byte[] wrapKey = Engines.defaultEngine().primitives().hkdfSha256(kek, salt, info, 32);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(
        Cipher.DECRYPT_MODE, new SecretKeySpec(wrapKey, "AES"), new GCMParameterSpec(128, nonce));
    gcm.updateAAD(CONTEXT.encoded());
    assertThat(gcm.doFinal(wrapped, 21, wrapped.length - 21)).isEqualTo(dataKey);
  }

  /**
   * Version 1 bytes written by the code before version 2 (under the KEK 00 01 .. 1f and the
   * two-pair context, or none): they must unwrap for as long as messages holding them exist.
   */
  @ParameterizedTest
  @CsvSource({
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf, true,"
        + " 01d223a75b79b6d844c6fca507b463e13e6bc67ae02c0fef311f34695834510093b7bbaf59517f3b6a6627"
        + "071fbc3c1eec37ebbbbeedd07072193bf3ef7cd8c04837896b89e6a83901",
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf, true,"
        + " 01cae8c9759a64f9db6725ca52503fa400acee7123a550bf1f15c0b27a385ced5f8b2aaf2a13367e198ab1"
        + "4716cc42c75bebc3e30e647dbab5",
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf, false,"
        + " 016aee4aac3ca5c261c5f95a8867549cee9caa6d227ec1f1674f98c9149c83aef1aa3fb7123867782b3609"
        + "2939f5f5076bca802fce68f173b206ffafa909b3a01801aea24cbaddaf85"
  })
  void version1BytesStillUnwrap(String dataKey, boolean withContext, String wrapped)
      throws Exception {
    HexFormat hex = HexFormat.of();
    Path file = keys.resolve("golden.kek");
    Files.write(file, hex.parseHex(GOLDEN_KEK));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    KeyRef golden = KeyRef.parse("local:golden");
    EncryptionContext context = withContext ? CONTEXT : EncryptionContext.empty();
    EncryptionContext other = withContext ? EncryptionContext.empty() : CONTEXT;
    byte[] bytes = hex.parseHex(wrapped);

    assertThat(wrapper.unwrap(new WrappedKey(golden, bytes), context))
        .isEqualTo(hex.parseHex(dataKey));
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(golden, bytes), other))
        .isInstanceOf(AuthenticationFailedException.class);
    for (int i : new int[] {1, 32, 33, bytes.length - 1}) {
      byte[] tampered = bytes.clone();
      tampered[i] ^= 0x40;
      assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(golden, tampered), context))
          .as("byte %d", i)
          .isInstanceOf(AuthenticationFailedException.class);
    }
    wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(DEFAULT, bytes), context))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void concurrentWrapsShareAWrapKeyButNeverACounter() throws Exception {
    byte[] dataKey = CryptoRandom.bytes(32);
    byte[] first = wrapper.wrap(DEFAULT, dataKey, CONTEXT).bytes();
    Set<String> counters = ConcurrentHashMap.newKeySet();
    Set<String> sealed = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 500; i++) {
                    byte[] next = wrapper.wrap(DEFAULT, dataKey, CONTEXT).bytes();
                    assertThat(Arrays.copyOfRange(next, 1, 17))
                        .isEqualTo(Arrays.copyOfRange(first, 1, 17));
                    counters.add(HexFormat.of().formatHex(next, 17, 21));
                    sealed.add(HexFormat.of().formatHex(next, 21, 69));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(HexFormat.of().formatHex(first, 17, 21)).isEqualTo("00000000");
    assertThat(counters).hasSize(2000).doesNotContain("00000000");
    assertThat(sealed).hasSize(2000);
  }

  @Test
  void aWrapKeyServesItsQuotaThenANewSaltIsDrawn() {
    LocalKeyWrapper small = LocalKeyWrapper.builder().keyDirectory(keys).wrapsPerWrapKey(3).build();
    byte[] dataKey = CryptoRandom.bytes(32);
    List<WrappedKey> wrapped = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      wrapped.add(small.wrap(DEFAULT, dataKey, CONTEXT));
    }
    List<String> salts =
        wrapped.stream().map(w -> HexFormat.of().formatHex(w.bytes(), 1, 17)).toList();
    assertThat(salts.subList(0, 3)).containsOnly(salts.get(0));
    assertThat(salts.subList(3, 6)).containsOnly(salts.get(3));
    assertThat(salts.get(6)).isNotIn(salts.get(0), salts.get(3));
    for (WrappedKey w : wrapped) {
      assertThat(small.unwrap(w, CONTEXT)).isEqualTo(dataKey);
      assertThat(wrapper.unwrap(w, CONTEXT)).isEqualTo(dataKey);
    }
  }

  @Test
  void wrapKeysReplacedUnderConcurrentWrapsNeverRepeatASaltAndCounter() throws Exception {
    LocalKeyWrapper small = LocalKeyWrapper.builder().keyDirectory(keys).wrapsPerWrapKey(5).build();
    Set<String> saltsAndCounters = ConcurrentHashMap.newKeySet();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 300; i++) {
                    byte[] dataKey = CryptoRandom.bytes(32);
                    WrappedKey wrapped = small.wrap(DEFAULT, dataKey, CONTEXT);
                    saltsAndCounters.add(HexFormat.of().formatHex(wrapped.bytes(), 1, 21));
                    assertThat(small.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(saltsAndCounters).hasSize(1200);
  }

  @Test
  void aKeyFileRemovedAfterUseGetsANewKeyAndANewWrapKeyOnTheNextWrap() throws Exception {
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey before = wrapper.wrap(DEFAULT, dataKey, CONTEXT);
    Files.delete(keys.resolve("default.kek"));

    WrappedKey after = wrapper.wrap(DEFAULT, dataKey, CONTEXT);

    assertThat(keys.resolve("default.kek")).exists();
    assertThat(Arrays.copyOfRange(after.bytes(), 1, 17))
        .isNotEqualTo(Arrays.copyOfRange(before.bytes(), 1, 17));
    assertThat(wrapper.unwrap(after, CONTEXT)).isEqualTo(dataKey);
    assertThatThrownBy(() -> wrapper.unwrap(before, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void anotherWrapperOnTheSameFileDrawsItsOwnSaltAndUnwrapsTheOthers() {
    LocalKeyWrapper another = LocalKeyWrapper.builder().keyDirectory(keys).build();
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey mine = wrapper.wrap(DEFAULT, dataKey, CONTEXT);
    WrappedKey theirs = another.wrap(DEFAULT, dataKey, CONTEXT);
    assertThat(Arrays.copyOfRange(mine.bytes(), 1, 17))
        .isNotEqualTo(Arrays.copyOfRange(theirs.bytes(), 1, 17));
    assertThat(wrapper.unwrap(theirs, CONTEXT)).isEqualTo(dataKey);
    assertThat(another.unwrap(mine, CONTEXT)).isEqualTo(dataKey);
  }

  @Test
  void aDifferentContextFailsAuthentication() {
    WrappedKey wrapped = wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    for (EncryptionContext other :
        List.of(
            EncryptionContext.empty(),
            EncryptionContext.of("tenant", "acme"),
            EncryptionContext.of("tenant", "acme", "purpose", "order"),
            EncryptionContext.of("purpose", "orders", "tenant", "acme"))) {
      assertThatThrownBy(() -> wrapper.unwrap(wrapped, other))
          .as("%s", other)
          .isInstanceOf(AuthenticationFailedException.class)
          .hasMessageContaining("encryption context");
    }
  }

  /**
   * The wrapper reuses the encoding of the context object it bound last: contexts taken in turn,
   * each the same object again or an equal one, bind what they hold, never the one before.
   */
  @Test
  void contextsTakenInTurnEachBindTheirOwnPairs() {
    EncryptionContext acme = EncryptionContext.of("tenant", "acme");
    EncryptionContext globex = EncryptionContext.of("tenant", "globex");
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey underAcme = wrapper.wrap(DEFAULT, dataKey, acme);
    WrappedKey underGlobex = wrapper.wrap(DEFAULT, dataKey, globex);
    WrappedKey underAcmeAgain = wrapper.wrap(DEFAULT, dataKey, acme);

    for (int round = 0; round < 2; round++) {
      assertThat(wrapper.unwrap(underAcme, acme)).isEqualTo(dataKey);
      assertThat(wrapper.unwrap(underAcmeAgain, EncryptionContext.of("tenant", "acme")))
          .isEqualTo(dataKey);
      assertThatThrownBy(() -> wrapper.unwrap(underGlobex, acme))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(wrapper.unwrap(underGlobex, globex)).isEqualTo(dataKey);
      assertThatThrownBy(() -> wrapper.unwrap(underAcme, globex))
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  void anotherKeyFailsAuthentication() {
    WrappedKey wrapped = wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    wrapper.wrap(KeyRef.parse("local:other"), CryptoRandom.bytes(32), CONTEXT);
    WrappedKey relabelled = new WrappedKey(KeyRef.parse("local:other"), wrapped.bytes());
    assertThatThrownBy(() -> wrapper.unwrap(relabelled, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void everyModifiedByteIsDetected() {
    byte[] bytes = wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT).bytes();
    for (int i = 0; i < bytes.length; i++) {
      byte[] tampered = bytes.clone();
      tampered[i] ^= 0x01;
      assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(DEFAULT, tampered), CONTEXT))
          .as("byte %d", i)
          .isInstanceOf(
              i == 0 ? MalformedCiphertextException.class : AuthenticationFailedException.class);
    }
  }

  @Test
  void malformedWrappedBytesAreNamedAsSuch() {
    byte[] bytes = wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT).bytes();
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(DEFAULT, new byte[0]), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("empty");
    byte[] version3 = bytes.clone();
    version3[0] = 3;
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(DEFAULT, version3), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("format version 3");
    for (int length : new int[] {1, 17, 21, 52, 102}) {
      byte[] resized = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(DEFAULT, resized), CONTEXT))
          .as("length %d", length)
          .isInstanceOf(MalformedCiphertextException.class)
          .hasMessageContaining(length + " bytes");
    }
  }

  @Test
  void rejectsBadDataKeysAndForeignKeyRefs() {
    for (int length : new int[] {0, 15, 65}) {
      assertThatThrownBy(() -> wrapper.wrap(DEFAULT, new byte[length], CONTEXT))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("16..64 bytes, got " + length);
    }
    assertThatThrownBy(
            () -> wrapper.wrap(KeyRef.parse("aws-kms:alias/orders"), new byte[32], CONTEXT))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not aws-kms:");
  }

  @Test
  void createsKeyFilesOwnerOnly() throws Exception {
    Path directory = keys.resolve("nested/keys");
    LocalKeyWrapper fresh = LocalKeyWrapper.builder().keyDirectory(directory).build();
    fresh.wrap(KeyRef.parse("local:orders"), CryptoRandom.bytes(32), CONTEXT);
    Path file = directory.resolve("orders.kek");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)))
        .isEqualTo("rwx------");
    assertThat(Files.size(file)).isEqualTo(32);
    try (var listing = Files.list(directory)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("orders.kek");
    }
  }

  @Test
  void keepsUsingTheSameKeyFile() throws Exception {
    WrappedKey wrapped = wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    byte[] kek = Files.readAllBytes(keys.resolve("default.kek"));
    wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    LocalKeyWrapper another = LocalKeyWrapper.builder().keyDirectory(keys).build();
    another.unwrap(wrapped, CONTEXT);
    assertThat(Files.readAllBytes(keys.resolve("default.kek"))).isEqualTo(kek);
  }

  @Test
  void aKeyFileReplacedOrRemovedAfterUseIsNoticedOnTheNextCall() throws Exception {
    WrappedKey before = wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    Path file = keys.resolve("default.kek");
    Path replacement = keys.resolve("replacement.tmp");
    Files.write(replacement, CryptoRandom.bytes(32));
    Files.setPosixFilePermissions(replacement, PosixFilePermissions.fromString("rw-------"));
    Files.move(replacement, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

    assertThatThrownBy(() -> wrapper.unwrap(before, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
    WrappedKey after = wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    assertThat(Arrays.copyOfRange(after.bytes(), 1, 17))
        .as("a new wrap key, not the one derived from the replaced file")
        .isNotEqualTo(Arrays.copyOfRange(before.bytes(), 1, 17));
    assertThat(LocalKeyWrapper.builder().keyDirectory(keys).build().unwrap(after, CONTEXT))
        .hasSize(32);

    Files.delete(file);
    assertThatThrownBy(() -> wrapper.unwrap(after, CONTEXT))
        .isInstanceOf(KeyUnavailableException.class);
  }

  @Test
  void byDefaultAKeyFileCheckStandsForASecond() throws Exception {
    LocalKeyWrapper byDefault = LocalKeyWrapper.builder().keyDirectory(keys).build();
    byte[] dataKey = CryptoRandom.bytes(32);
    long before = System.nanoTime();
    WrappedKey wrapped = byDefault.wrap(DEFAULT, dataKey, CONTEXT);
    Files.delete(keys.resolve("default.kek"));

    byte[] unwrapped = byDefault.unwrap(wrapped, CONTEXT);

    assumeTrue(
        System.nanoTime() - before < LocalKeyWrapper.DEFAULT_KEY_FILE_RECHECK.toNanos(),
        "the machine took longer than the recheck interval between the calls");
    assertThat(unwrapped).isEqualTo(dataKey);
  }

  @Test
  void aKeyFileChangeIsNoticedOnceTheRecheckIntervalHasPassed() throws Exception {
    Duration interval = Duration.ofMillis(100);
    LocalKeyWrapper rechecking =
        LocalKeyWrapper.builder().keyDirectory(keys).keyFileRecheck(interval).build();
    WrappedKey wrapped = rechecking.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    Files.delete(keys.resolve("default.kek"));

    Thread.sleep(interval.plusMillis(20));

    assertThatThrownBy(() -> rechecking.unwrap(wrapped, CONTEXT))
        .isInstanceOf(KeyUnavailableException.class);
  }

  @ParameterizedTest
  @ValueSource(longs = {-1, 86_400_001})
  void refusesRecheckIntervalsOutOfRange(long millis) {
    assertThatThrownBy(() -> LocalKeyWrapper.builder().keyFileRecheck(Duration.ofMillis(millis)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("recheck interval");
  }

  @Test
  void aKeyFileRewrittenInPlaceIsReadAgain() throws Exception {
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey before = wrapper.wrap(DEFAULT, dataKey, CONTEXT);
    Path file = keys.resolve("default.kek");
    Files.setLastModifiedTime(
        file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    wrapper.unwrap(before, CONTEXT);

    Files.write(file, CryptoRandom.bytes(32));

    assertThatThrownBy(() -> wrapper.unwrap(before, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r-----", "rw----r--", "rw--w----", "rw-rw-rw-"})
  void refusesKeyFilesOthersCanAccess(String permissions) throws Exception {
    WrappedKey wrapped = wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    Path file = keys.resolve("default.kek");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    assertThatThrownBy(() -> wrapper.unwrap(wrapped, CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining(permissions)
        .hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(ConfigurationException.class);
  }

  @Test
  void aVersion1WrappingOnAnEngineWithoutKwpIsAConfigurationError() throws Exception {
    SymmetricPrimitives jdk = Engines.defaultEngine().primitives();
    SymmetricPrimitives withoutKwp =
        new SymmetricPrimitives() {
          @Override
          public boolean supports(KeyWrapMode mode) {
            return mode != KeyWrapMode.AES_KWP;
          }

          @Override
          public byte[] wrapKey(KeyWrapMode mode, byte[] kek, byte[] keyData) {
            throw new UnsupportedOperationException("no " + mode);
          }

          @Override
          public byte[] unwrapKey(KeyWrapMode mode, byte[] kek, byte[] wrapped) {
            throw new UnsupportedOperationException("no " + mode);
          }

          @Override
          public byte[] hmacSha256(byte[] key, byte[] message) {
            return jdk.hmacSha256(key, message);
          }

          @Override
          public byte[] hkdfSha256(byte[] ikm, byte[] salt, byte[] info, int length) {
            return jdk.hkdfSha256(ikm, salt, info, length);
          }
        };
    HexFormat hex = HexFormat.of();
    Path file = keys.resolve("golden.kek");
    Files.write(file, hex.parseHex(GOLDEN_KEK));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    LocalKeyWrapper onEngineWithoutKwp =
        LocalKeyWrapper.builder().keyDirectory(keys).primitives(withoutKwp).build();
    byte[] version1 =
        hex.parseHex(
            "01cae8c9759a64f9db6725ca52503fa400acee7123a550bf1f15c0b27a385ced5f8b2aaf2a13367e198ab1"
                + "4716cc42c75bebc3e30e647dbab5");

    assertThatThrownBy(
            () ->
                onEngineWithoutKwp.unwrap(
                    new WrappedKey(KeyRef.parse("local:golden"), version1), CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("version 1");
  }

  @Test
  void refusesAKeyFileThatIsALink(@TempDir Path elsewhere) throws Exception {
    Path target = elsewhere.resolve("planted.kek");
    Files.write(target, CryptoRandom.bytes(32));
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
    Files.createSymbolicLink(keys.resolve("linked.kek"), target);

    assertThatThrownBy(
            () -> wrapper.wrap(KeyRef.parse("local:linked"), CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("not a regular file");
  }

  @Test
  void refusesAKeyFileAnotherUserOwns() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")), "giving a file to another user needs root");
    WrappedKey wrapped = wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT);
    Path file = keys.resolve("default.kek");
    Files.setOwner(
        file, file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));

    assertThatThrownBy(() -> wrapper.unwrap(wrapped, CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("belongs to nobody");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rwxrwxrwx", "rwxrwx---", "rwx-w--w-"})
  void refusesADirectoryOthersMayWriteTo(String permissions) throws Exception {
    Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString(permissions));
    try {
      assertThatThrownBy(() -> wrapper.wrap(DEFAULT, CryptoRandom.bytes(32), CONTEXT))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("local key directory")
          .hasMessageContaining(permissions);
      assertThat(keys.resolve("default.kek")).doesNotExist();
    } finally {
      Files.setPosixFilePermissions(keys, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void refusesKeyFilesOfTheWrongSize() throws Exception {
    Path file = keys.resolve("short.kek");
    Files.write(file, new byte[16]);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(
            () -> wrapper.wrap(KeyRef.parse("local:short"), CryptoRandom.bytes(32), CONTEXT))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("holds 16 bytes");
  }

  @Test
  void aMissingKeyFileOnUnwrapIsUnavailableAndCreatesNothing() {
    byte[] bytes = new byte[73];
    bytes[0] = 1;
    assertThatThrownBy(
            () -> wrapper.unwrap(new WrappedKey(KeyRef.parse("local:gone"), bytes), CONTEXT))
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessageContaining("gone.kek");
    assertThat(keys.resolve("gone.kek")).doesNotExist();
  }

  @Test
  void concurrentFirstUsersShareOneKey() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<byte[][]>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<byte[][]> task =
            () -> {
              start.await();
              byte[] dataKey = CryptoRandom.bytes(32);
              return new byte[][] {
                dataKey, wrapper.wrap(KeyRef.parse("local:race"), dataKey, CONTEXT).bytes()
              };
            };
        results.add(pool.submit(task));
      }
      start.countDown();
      for (Future<byte[][]> result : results) {
        byte[][] pair = result.get();
        assertThat(wrapper.unwrap(new WrappedKey(KeyRef.parse("local:race"), pair[1]), CONTEXT))
            .isEqualTo(pair[0]);
      }
    } finally {
      pool.shutdownNow();
    }
    try (var listing = Files.list(keys)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("race.kek");
    }
  }

  @Test
  void auditsEveryCallWithoutKeyMaterial() throws Exception {
    byte[] dataKey = CryptoRandom.bytes(32);
    WrappedKey wrapped = wrapper.wrap(DEFAULT, dataKey, CONTEXT);
    wrapper.unwrap(wrapped, CONTEXT);
    assertThatThrownBy(() -> wrapper.unwrap(wrapped, EncryptionContext.empty()))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> wrapper.wrap(DEFAULT, new byte[8], CONTEXT))
        .isInstanceOf(InvalidInputException.class);

    assertThat(events)
        .extracting(AuditEvent::operation)
        .containsExactly(Operation.WRAP, Operation.UNWRAP, Operation.UNWRAP, Operation.WRAP);
    assertThat(events)
        .extracting(AuditEvent::outcome)
        .containsExactly(
            Outcome.SUCCESS, Outcome.SUCCESS, Outcome.AUTHENTICATION_FAILED, Outcome.INVALID_INPUT);
    assertThat(events).extracting(AuditEvent::bytes).containsExactly(32L, 32L, 0L, 8L);
    assertThat(events)
        .allSatisfy(
            event -> {
              assertThat(event.backend()).isEqualTo("local");
              assertThat(event.keyRef()).contains("local:default");
              assertThat(event.region()).isEmpty();
              assertThat(event.latency()).isPositive();
            });

    String kekHex = Bytes.hex(Files.readAllBytes(keys.resolve("default.kek")));
    String dataKeyHex = Bytes.hex(dataKey);
    for (AuditEvent event : events) {
      assertThat(event.toString())
          .doesNotContainIgnoringCase(kekHex)
          .doesNotContainIgnoringCase(dataKeyHex);
    }
    assertThat(wrapper.toString())
        .isEqualTo("LocalKeyWrapper[keyDirectory=" + keys.toAbsolutePath() + "]");
  }

  @Test
  void aFailingSinkDoesNotHideTheFailure() {
    AuditSink broken =
        event -> {
          throw new IllegalStateException("sink down");
        };
    LocalKeyWrapper withBrokenSink =
        LocalKeyWrapper.builder().keyDirectory(keys).auditSink(broken).build();
    assertThatThrownBy(() -> withBrokenSink.wrap(DEFAULT, new byte[8], CONTEXT))
        .isInstanceOf(InvalidInputException.class)
        .satisfies(
            e ->
                assertThat(e.getSuppressed())
                    .singleElement()
                    .hasFieldOrPropertyWithValue("message", "sink down"));
  }
}
