package com.plugsky.crypto.keywrap.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalKeyWrapperTest {
  private static final KeyRef DEFAULT = KeyRef.parse("local:default");
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of("tenant", "acme", "purpose", "orders");

  @TempDir Path keys;
  private final List<AuditEvent> events = Collections.synchronizedList(new ArrayList<>());
  private LocalKeyWrapper wrapper;

  @BeforeEach
  void setUp() {
    wrapper = LocalKeyWrapper.builder().keyDirectory(keys).auditSink(events::add).build();
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 17, 24, 32, 48, 64})
  void roundTrips(int length) {
    byte[] dataKey = CryptoRandom.bytes(length);
    WrappedKey wrapped = wrapper.wrap(DEFAULT, dataKey, CONTEXT);
    assertThat(wrapped.keyRef()).isEqualTo(DEFAULT);
    assertThat(wrapped.length()).isEqualTo(1 + 32 + ((length + 7) / 8) * 8 + 8);
    assertThat(wrapper.unwrap(wrapped, CONTEXT)).isEqualTo(dataKey);
  }

  @Test
  void wrappedBytesFollowTheDocumentedFormat() throws Exception {
    byte[] dataKey = CryptoRandom.bytes(32);
    byte[] wrapped = wrapper.wrap(DEFAULT, dataKey, CONTEXT).bytes();
    assertThat(wrapped).hasSize(73);
    assertThat(wrapped[0]).isEqualTo((byte) 1);

    byte[] kek = Files.readAllBytes(keys.resolve("default.kek"));
    byte[] salt = Arrays.copyOfRange(wrapped, 1, 33);
    byte[] info =
        ByteBuffer.allocate(21 + CONTEXT.encoded().length)
            .put("plugsky local wrap v1".getBytes(StandardCharsets.US_ASCII))
            .put(CONTEXT.encoded())
            .array();
    var primitives = Engines.defaultEngine().primitives();
    byte[] wrapKey = primitives.hkdfSha256(kek, salt, info, 32);
    byte[] unwrapped =
        primitives.unwrapKey(
            KeyWrapMode.AES_KWP, wrapKey, Arrays.copyOfRange(wrapped, 33, wrapped.length));
    assertThat(unwrapped).isEqualTo(dataKey);
  }

  @Test
  void everyWrapUsesAFreshSalt() {
    byte[] dataKey = CryptoRandom.bytes(32);
    byte[] first = wrapper.wrap(DEFAULT, dataKey, CONTEXT).bytes();
    byte[] second = wrapper.wrap(DEFAULT, dataKey, CONTEXT).bytes();
    assertThat(Arrays.copyOfRange(first, 1, 33)).isNotEqualTo(Arrays.copyOfRange(second, 1, 33));
    assertThat(Arrays.copyOfRange(first, 33, 73)).isNotEqualTo(Arrays.copyOfRange(second, 33, 73));
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
    byte[] version2 = bytes.clone();
    version2[0] = 2;
    assertThatThrownBy(() -> wrapper.unwrap(new WrappedKey(DEFAULT, version2), CONTEXT))
        .isInstanceOf(MalformedCiphertextException.class)
        .hasMessageContaining("format version 2");
    for (int length : new int[] {1, 33, 56, 72, 74, 106}) {
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
    assertThat(LocalKeyWrapper.builder().keyDirectory(keys).build().unwrap(after, CONTEXT))
        .hasSize(32);

    Files.delete(file);
    assertThatThrownBy(() -> wrapper.unwrap(after, CONTEXT))
        .isInstanceOf(KeyUnavailableException.class);
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
