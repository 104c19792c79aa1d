package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataKeyCacheTest {
  private static final EncryptionContext ACME = EncryptionContext.of("tenant", "acme");
  private static final EncryptionContext INITECH = EncryptionContext.of("tenant", "initech");
  private static final Object OWNER = new Object();
  private static final byte[] PLAINTEXT = new byte[100];
  private static final Header.Layout LAYOUT =
      Header.Layout.of(
          Format.CURRENT_VERSION, 16, ACME, List.of(new Header.Entry("local:a", new byte[73])));
  private static final DataKeyCache.Key KEY =
      new DataKeyCache.Key(OWNER, List.of("local:a"), ACME, 16);

  @TempDir Path keys;

  @Test
  void reusesADataKeyAndItsWrappingsForTheSameKeksAndContext() {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    DataKeyCache cache = DataKeyCache.builder().build();
    Envelope envelope =
        TestKeks.envelope(keys, "eu", "us").dataKeyCache(cache).auditSink(events::add).build();

    byte[] first = envelope.encrypt(PLAINTEXT, ACME);
    byte[] second = envelope.encrypt(PLAINTEXT, ACME);
    envelope.encrypt(PLAINTEXT, INITECH);

    // Per fresh key: one generate under the first KEK, one wrap under the second.
    assertThat(events.stream().filter(e -> e.operation() == Operation.GENERATE_DATA_KEY))
        .hasSize(2);
    assertThat(events.stream().filter(e -> e.operation() == Operation.WRAP)).hasSize(2);
    assertThat(cache.stats()).isEqualTo(new DataKeyCache.Stats(1, 2, 2, 0, 0, 2));
    assertThat(Envelope.inspect(first).wrappedKeys())
        .isEqualTo(Envelope.inspect(second).wrappedKeys());
    assertThat(Envelope.inspect(first).messageId())
        .isNotEqualTo(Envelope.inspect(second).messageId());
    assertThat(envelope.decrypt(first, ACME)).isEqualTo(PLAINTEXT);
    assertThat(envelope.decrypt(second, ACME)).isEqualTo(PLAINTEXT);
  }

  @Test
  void envelopesSharingACacheNeverShareAKey(@TempDir Path otherKeys) {
    DataKeyCache cache = DataKeyCache.builder().build();
    Envelope mine = TestKeks.envelope(keys, "orders").dataKeyCache(cache).build();
    Envelope sameNameOtherKey = TestKeks.envelope(otherKeys, "orders").dataKeyCache(cache).build();

    byte[] message = mine.encrypt(PLAINTEXT, ACME);
    assertThat(mine.decrypt(message, ACME)).isEqualTo(PLAINTEXT);
    byte[] theirs = sameNameOtherKey.encrypt(PLAINTEXT, ACME);

    // The other Envelope's "local:orders" is another key: what this one unwrapped or generated
    // must serve neither its decryption nor its encryption.
    assertThatThrownBy(() -> sameNameOtherKey.decrypt(message, ACME))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> mine.decrypt(theirs, ACME))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(sameNameOtherKey.decrypt(theirs, ACME)).isEqualTo(PLAINTEXT);
    assertThat(cache.stats().hits()).isZero();
    assertThat(cache.stats().misses()).isEqualTo(2);
  }

  @Test
  void messagesUnderOneCachedKeyDifferOnlyInTheirIdsAndBodies() {
    // The first message writes the header and commitment, the second keeps copies, the rest
    // copy them: every way must give the same bytes.
    Envelope envelope =
        TestKeks.envelope(keys, "eu", "us").dataKeyCache(DataKeyCache.builder().build()).build();
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      messages.add(envelope.encrypt(PLAINTEXT, ACME));
    }
    int headerLength = Header.parse(messages.getFirst()).length();
    for (byte[] message : messages) {
      assertThat(envelope.decrypt(message, ACME)).isEqualTo(PLAINTEXT);
      assertThat(Header.parse(message).length()).isEqualTo(headerLength);
      assertThat(withoutMessageId(message, headerLength))
          .isEqualTo(withoutMessageId(messages.getFirst(), headerLength));
    }
  }

  private static byte[] withoutMessageId(byte[] message, int headerLength) {
    byte[] header = Arrays.copyOf(message, headerLength);
    int idEnd = Format.MESSAGE_ID_OFFSET + Format.MESSAGE_ID_LENGTH;
    Arrays.fill(header, Format.MESSAGE_ID_OFFSET, idEnd, (byte) 0);
    return header;
  }

  @Test
  void isOffByDefault() {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    Envelope envelope = TestKeks.envelope(keys, "eu").auditSink(events::add).build();

    envelope.encrypt(PLAINTEXT, ACME);
    envelope.encrypt(PLAINTEXT, ACME);

    assertThat(events).hasSize(2);
  }

  @Test
  void aKeyServesAtMostMaxMessages() {
    DataKeyCache cache = DataKeyCache.builder().maxMessagesPerKey(3).build();
    Envelope envelope = TestKeks.envelope(keys, "eu").dataKeyCache(cache).build();

    for (int i = 0; i < 7; i++) {
      envelope.encrypt(PLAINTEXT, ACME);
    }

    // Messages 1-3 share a key, 4-6 the next, 7 a third.
    assertThat(cache.stats().misses()).isEqualTo(3);
    assertThat(cache.stats().hits()).isEqualTo(4);
  }

  @Test
  void aKeyServesAtMostMaxBytes() {
    DataKeyCache cache = DataKeyCache.builder().maxBytesPerKey(250).build();
    Envelope envelope = TestKeks.envelope(keys, "eu").dataKeyCache(cache).build();

    envelope.encrypt(PLAINTEXT, ACME);
    envelope.encrypt(PLAINTEXT, ACME);
    envelope.encrypt(PLAINTEXT, ACME);
    envelope.encrypt(new byte[300], ACME);

    assertThat(cache.stats().hits()).isEqualTo(1);
    assertThat(cache.stats().misses()).isEqualTo(3);
    assertThat(cache.stats().entries())
        .as("a message larger than the limit is not cached")
        .isZero();
  }

  @Test
  void expiredKeysAreEvictedAndZeroed() {
    AtomicLong now = new AtomicLong();
    DataKeyCache cache =
        DataKeyCache.builder().maxAge(Duration.ofSeconds(10)).nanoTime(now::get).build();
    DataKeySecrets secrets = secrets(9);
    cache.offer(KEY, secrets, LAYOUT, 1);

    now.set(Duration.ofSeconds(9).toNanos());
    DataKeyCache.Materials hit = cache.acquire(KEY, 1);
    now.set(Duration.ofSeconds(10).toNanos());
    DataKeyCache.Materials miss = cache.acquire(KEY, 1);

    assertThat(hit.secrets()).isSameAs(secrets);
    assertThat(miss).isNull();
    assertThat(secrets.headerKey())
        .as("evicted, but a message in flight still holds it")
        .containsOnly(9);
    hit.secrets().close();
    assertThat(secrets.headerKey()).containsOnly(0);
    assertThat(cache.stats().evictions()).isEqualTo(1);
  }

  @Test
  void theLeastRecentlyUsedKeyMakesRoomAndIsZeroed() {
    DataKeyCache cache = DataKeyCache.builder().maxEntries(2).build();
    DataKeyCache.Key a = new DataKeyCache.Key(OWNER, List.of("local:a"), ACME, 16);
    DataKeyCache.Key b = new DataKeyCache.Key(OWNER, List.of("local:b"), ACME, 16);
    DataKeyCache.Key c = new DataKeyCache.Key(OWNER, List.of("local:c"), ACME, 16);
    DataKeySecrets keyA = secrets(1);
    DataKeySecrets keyB = secrets(2);
    cache.offer(a, keyA, LAYOUT, 0);
    cache.offer(b, keyB, LAYOUT, 0);
    cache.acquire(a, 0).secrets().close();

    cache.offer(c, secrets(3), LAYOUT, 0);

    assertThat(keyB.headerKey()).containsOnly(0);
    assertThat(keyA.headerKey()).containsOnly(1);
    assertThat(cache.acquire(b, 0)).isNull();
    try (DataKeySecrets again = cache.acquire(a, 0).secrets()) {
      assertThat(again).isSameAs(keyA);
    }
  }

  @Test
  void clearZeroesEveryKey() {
    DataKeyCache cache = DataKeyCache.builder().build();
    DataKeySecrets secrets = secrets(5);
    cache.offer(KEY, secrets, LAYOUT, 0);

    cache.clear();

    assertThat(secrets.headerKey()).containsOnly(0);
    assertThat(cache.stats().entries()).isZero();
  }

  @Test
  void evictedSuite3SecretsNoLongerDerivePayloadKeys() {
    // What the cache holds today: suite 3's expand key as held SHA-256 states, no header key.
    AtomicLong now = new AtomicLong();
    DataKeyCache cache =
        DataKeyCache.builder().maxAge(Duration.ofSeconds(10)).nanoTime(now::get).build();
    byte[] messageId = filled(32, 7);
    DataKeySecrets aged = suite3Secrets(1);
    DataKeySecrets cleared = suite3Secrets(2);
    byte[] agedPayloadKey = aged.payloadKey(messageId);
    byte[] clearedPayloadKey = cleared.payloadKey(messageId);
    DataKeyCache.Key other = new DataKeyCache.Key(OWNER, List.of("local:b"), ACME, 16);
    cache.offer(KEY, aged, LAYOUT, 0);

    now.set(Duration.ofSeconds(10).toNanos());
    assertThat(cache.acquire(KEY, 0)).isNull();
    cache.offer(other, cleared, LAYOUT, 0);
    cache.clear();

    assertNoLongerDerives(aged, messageId, agedPayloadKey);
    assertNoLongerDerives(cleared, messageId, clearedPayloadKey);
    assertThat(cache.stats().evictions()).isEqualTo(2);
  }

  /**
   * Closed secrets refuse to derive, or (states wiped to SHA-256's initial ones) derive another.
   */
  private static void assertNoLongerDerives(
      DataKeySecrets secrets, byte[] messageId, byte[] before) {
    Throwable refused = catchThrowable(() -> secrets.payloadKey(messageId));
    if (refused != null) {
      assertThat(refused).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    } else {
      assertThat(secrets.payloadKey(messageId)).isNotEqualTo(before);
    }
  }

  @Test
  void decryptionUnwrapsEachWrappingOnceAndStillAuthenticatesEveryHeader() {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    DataKeyCache cache = DataKeyCache.builder().build();
    Envelope envelope =
        TestKeks.envelope(keys, "eu").dataKeyCache(cache).auditSink(events::add).build();
    byte[] first = envelope.encrypt(PLAINTEXT, ACME);
    byte[] second = envelope.encrypt(PLAINTEXT, ACME);

    assertThat(envelope.decrypt(first, ACME)).isEqualTo(PLAINTEXT);
    assertThat(envelope.decrypt(second, ACME)).isEqualTo(PLAINTEXT);
    assertThat(envelope.decrypt(first, ACME)).isEqualTo(PLAINTEXT);
    byte[] forged = second.clone();
    forged[10] ^= 1;

    assertThatThrownBy(() -> envelope.decrypt(forged, ACME))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(events.stream().filter(e -> e.operation() == Operation.UNWRAP)).hasSize(1);
    assertThat(cache.stats().unwrapsAvoided()).isEqualTo(3);
  }

  @Test
  void anUnwrappedKeyAgesOutLikeAnyOther() {
    AtomicLong now = new AtomicLong();
    DataKeyCache cache =
        DataKeyCache.builder().maxAge(Duration.ofSeconds(10)).nanoTime(now::get).build();
    DataKeyCache.Wrapping wrapping =
        new DataKeyCache.Wrapping(OWNER, "local:a", new byte[] {1, 2}, ACME);
    byte[] dataKey = filled(32, 4);
    DataKeySecrets secrets = secrets(4);
    cache.offerUnwrapped(wrapping, new DataKeyCache.UnwrappedKey(dataKey, secrets));

    DataKeyCache.UnwrappedKey hit =
        cache.unwrapped(
            new DataKeyCache.Wrapping(OWNER, "local:a", new byte[] {1, 2}, ACME),
            Format.SUITE_2,
            true);
    DataKeyCache.UnwrappedKey otherContext =
        cache.unwrapped(
            new DataKeyCache.Wrapping(OWNER, "local:a", new byte[] {1, 2}, INITECH),
            Format.SUITE_2,
            true);
    now.set(Duration.ofSeconds(10).toNanos());
    DataKeyCache.UnwrappedKey expired = cache.unwrapped(wrapping, Format.SUITE_2, true);

    assertThat(hit.dataKey()).isEqualTo(filled(32, 4));
    assertThat(hit.secrets()).isSameAs(secrets);
    assertThat(otherContext).isNull();
    assertThat(expired).isNull();
    assertThat(dataKey).containsOnly(0);
    assertThat(secrets.headerKey())
        .as("evicted, but the message that took it still holds it")
        .containsOnly(4);
    hit.close();
    assertThat(secrets.headerKey()).containsOnly(0);
  }

  @Test
  void aSharedUnwrappedKeyCarriesItsDataKeyOnlyWhenTheCallerNeedsIt() {
    DataKeyCache cache = DataKeyCache.builder().build();
    DataKeyCache.Wrapping wrapping =
        new DataKeyCache.Wrapping(OWNER, "local:a", new byte[] {1, 2}, ACME);
    DataKeySecrets secrets = secrets(5);
    cache.offerUnwrapped(wrapping, new DataKeyCache.UnwrappedKey(filled(32, 5), secrets));

    try (DataKeyCache.UnwrappedKey sameSuite = cache.unwrapped(wrapping, Format.SUITE_2, false);
        DataKeyCache.UnwrappedKey forRewrap = cache.unwrapped(wrapping, Format.SUITE_2, true);
        DataKeyCache.UnwrappedKey otherSuite = cache.unwrapped(wrapping, Format.SUITE_3, false)) {
      assertThat(sameSuite.dataKey()).as("its secrets serve the message").isEmpty();
      assertThat(sameSuite.secrets()).isSameAs(secrets);
      assertThat(forRewrap.dataKey()).isEqualTo(filled(32, 5));
      assertThat(otherSuite.dataKey())
          .as("a message of another suite derives its keys from the data key")
          .isEqualTo(filled(32, 5));
    }
    assertThat(secrets.headerKey()).as("the cache still holds its reference").containsOnly(5);
    assertThat(cache.stats().unwrapsAvoided()).isEqualTo(3);
  }

  @Test
  void manyThreadsShareOneCacheWithinItsLimits() throws Exception {
    DataKeyCache cache = DataKeyCache.builder().maxMessagesPerKey(50).build();
    Envelope envelope = TestKeks.envelope(keys, "eu").dataKeyCache(cache).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<byte[]>> messages = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        messages.add(pool.submit(() -> envelope.encrypt(PLAINTEXT, ACME)));
      }
      for (Future<byte[]> message : messages) {
        assertThat(envelope.decrypt(message.get(), ACME)).isEqualTo(PLAINTEXT);
      }
    } finally {
      pool.shutdown();
    }

    DataKeyCache.Stats stats = cache.stats();
    assertThat(stats.hits() + stats.misses()).isEqualTo(400);
    assertThat(stats.misses()).isGreaterThanOrEqualTo(8);
  }

  /** Secrets whose two keys are {@code value} repeated, so that zeroing shows. */
  private static DataKeySecrets secrets(int value) {
    return DataKeySecrets.of(
        filled(32, value), filled(32, value), Engines.defaultEngine().primitives());
  }

  private static DataKeySecrets suite3Secrets(int value) {
    return DataKeySecrets.derive(
        Format.SUITE_3,
        filled(32, value),
        Engines.defaultEngine().primitives(),
        KeyedHmac.Form.unapproved(true));
  }

  private static byte[] filled(int length, int value) {
    byte[] bytes = new byte[length];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }
}
