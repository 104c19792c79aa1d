package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditEvent.Outcome;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeTest {
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of("tenant", "acme", "purpose", "orders");
  private static final byte[] PLAINTEXT =
      "card 4111-1111-1111-1111".getBytes(StandardCharsets.UTF_8);

  @TempDir Path keys;

  @Test
  void decryptsWhatItEncrypted() {
    Envelope envelope = TestKeks.envelope(keys, "orders").build();

    byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);

    assertThat(envelope.decrypt(message, CONTEXT)).isEqualTo(PLAINTEXT);
  }

  @Test
  void overheadForOneLocalKekAndATwoPairContextIs196Bytes() {
    Envelope envelope = TestKeks.envelope(keys, "orders").build();

    byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);

    // docs/FORMAT.md, "Overhead": header 176 + frame word 4 + GCM tag 16 (version 1: 211).
    assertThat(message.length - PLAINTEXT.length).isEqualTo(196);
    assertThat(Envelope.inspect(message).headerLength()).isEqualTo(176);
  }

  @Test
  void everyMessageHasItsOwnMessageIdAndCiphertext() {
    Envelope envelope = TestKeks.envelope(keys, "orders").build();

    byte[] first = envelope.encrypt(PLAINTEXT, CONTEXT);
    byte[] second = envelope.encrypt(PLAINTEXT, CONTEXT);

    assertThat(Envelope.inspect(first).messageId())
        .isNotEqualTo(Envelope.inspect(second).messageId());
    assertThat(Arrays.copyOfRange(first, first.length - 40, first.length))
        .isNotEqualTo(Arrays.copyOfRange(second, second.length - 40, second.length));
  }

  @Test
  void cachedMessagesSealedAtOnceOnManyThreadsEachHaveTheirOwnIdAndOpen() throws Exception {
    Envelope envelope =
        TestKeks.envelope(keys, "orders").dataKeyCache(DataKeyCache.builder().build()).build();
    envelope.encrypt(PLAINTEXT, CONTEXT);
    int threads = 4;
    int perThread = 500;
    Set<String> ids = ConcurrentHashMap.newKeySet();
    CyclicBarrier start = new CyclicBarrier(threads);
    try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
      List<Future<Integer>> opened = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        byte[] plaintext = ("thread " + t).getBytes(StandardCharsets.UTF_8);
        opened.add(
            pool.submit(
                () -> {
                  start.await();
                  int count = 0;
                  for (int i = 0; i < perThread; i++) {
                    byte[] message = envelope.encrypt(plaintext, CONTEXT);
                    ids.add(Envelope.inspect(message).messageId());
                    if (Arrays.equals(envelope.decrypt(message, CONTEXT), plaintext)) {
                      count++;
                    }
                  }
                  return count;
                }));
      }
      for (Future<Integer> result : opened) {
        assertThat(result.get()).isEqualTo(perThread);
      }
    }
    assertThat(ids).hasSize(threads * perThread);
  }

  @Test
  void splitsIntoFramesOfTheConfiguredSize() {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(16).build();
    byte[] plaintext = new byte[16 * 3 + 5];
    Arrays.fill(plaintext, (byte) 7);

    byte[] message = envelope.encrypt(plaintext, CONTEXT);

    int header = Envelope.inspect(message).headerLength();
    assertThat(message.length).isEqualTo(header + plaintext.length + 4 * 20);
    assertThat(envelope.decrypt(message, CONTEXT)).isEqualTo(plaintext);
  }

  @Test
  void aPlaintextOfWholeFramesEndsInAFullFinalFrame() {
    Envelope envelope = TestKeks.envelope(keys, "orders").frameSize(16).build();
    byte[] plaintext = new byte[32];

    byte[] message = envelope.encrypt(plaintext, CONTEXT);

    int header = Envelope.inspect(message).headerLength();
    assertThat(message.length).isEqualTo(header + 32 + 2 * 20);
    int lastWord = header + 20 + 16;
    assertThat(message[lastWord] & 0x80).isEqualTo(0x80);
    assertThat(envelope.decrypt(message, CONTEXT)).isEqualTo(plaintext);
  }

  @Test
  void encryptsTheEmptyPlaintextAsOneEmptyFinalFrame() {
    Envelope envelope = TestKeks.envelope(keys, "orders").build();

    byte[] message = envelope.encrypt(new byte[0], CONTEXT);

    assertThat(message.length).isEqualTo(Envelope.inspect(message).headerLength() + 20);
    assertThat(envelope.decrypt(message, CONTEXT)).isEmpty();
  }

  @Test
  void refusesAnotherContext() {
    Envelope envelope = TestKeks.envelope(keys, "orders").build();
    byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);

    assertThatThrownBy(() -> envelope.decrypt(message, EncryptionContext.of("tenant", "acme")))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("encryption context");
    assertThatThrownBy(
            () ->
                envelope.decrypt(
                    message, EncryptionContext.of("purpose", "orders", "tenant", "acme")))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void refusesAKekThatIsNotConfigured() {
    byte[] message = TestKeks.envelope(keys, "orders").build().encrypt(PLAINTEXT, CONTEXT);
    Envelope other = TestKeks.envelope(keys, "billing").build();

    assertThatThrownBy(() -> other.decrypt(message, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("local:orders")
        .hasMessageContaining("local:billing");
  }

  @Test
  void refusesAKeyFileThatIsNotTheOneItWasWrappedUnder(@TempDir Path otherKeys) {
    byte[] message = TestKeks.envelope(keys, "orders").build().encrypt(PLAINTEXT, CONTEXT);
    Envelope sameNameOtherKey = TestKeks.envelope(otherKeys, "orders").build();
    sameNameOtherKey.encrypt(PLAINTEXT, CONTEXT);

    assertThatThrownBy(() -> sameNameOtherKey.decrypt(message, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void needsAtLeastOneKek() {
    assertThatThrownBy(() -> Envelope.builder().build()).isInstanceOf(ConfigurationException.class);
  }

  @Test
  void refusesFrameSizesTheFormatCannotHold() {
    Envelope.Builder builder = Envelope.builder();
    for (int bad : new int[] {0, 8, 15, 100, 1 << 25, -16}) {
      assertThatThrownBy(() -> builder.frameSize(bad)).isInstanceOf(InvalidInputException.class);
    }
  }

  @Test
  void inspectReadsTheHeaderWithoutAnyKey() {
    byte[] message =
        TestKeks.envelope(keys, "eu", "us").frameSize(1024).build().encrypt(PLAINTEXT, CONTEXT);

    EnvelopeHeader header = Envelope.inspect(message);

    assertThat(header.version()).isEqualTo(3);
    assertThat(header.suite()).isEqualTo(3);
    assertThat(header.messageId()).hasSize(64);
    assertThat(header.context()).isEqualTo(CONTEXT);
    assertThat(header.frameSize()).isEqualTo(1024);
    assertThat(header.wrappedKeys())
        .containsExactly(
            new EnvelopeHeader.WrappedKeyInfo("local:eu", 69),
            new EnvelopeHeader.WrappedKeyInfo("local:us", 69));
  }

  @Test
  void wrapsUnderEveryKekAndOpensWithThePreferredOneFirst() {
    byte[] message = TestKeks.envelope(keys, "eu", "us").build().encrypt(PLAINTEXT, CONTEXT);
    Envelope inUs = TestKeks.envelope(keys, "us", "eu").build();
    Envelope inEu = TestKeks.envelope(keys, "eu", "us").build();

    assertThat(inUs.decryptWithDetails(message, CONTEXT).openedBy())
        .isEqualTo(TestKeks.local("us"));
    assertThat(inEu.decryptWithDetails(message, CONTEXT).openedBy())
        .isEqualTo(TestKeks.local("eu"));
  }

  @Test
  void fallsBackToAnotherRegionWhenThePreferredKekIsUnavailable() throws Exception {
    byte[] message = TestKeks.envelope(keys, "eu", "us").build().encrypt(PLAINTEXT, CONTEXT);
    Files.delete(keys.resolve("eu.kek"));
    Envelope inEu = TestKeks.envelope(keys, "eu", "us").build();

    DecryptionResult result = inEu.decryptWithDetails(message, CONTEXT);

    assertThat(result.openedBy()).isEqualTo(TestKeks.local("us"));
    assertThat(result.plaintext()).isEqualTo(PLAINTEXT);
  }

  @Test
  void reportsTheRetryableFailureWhenNoKekOpens() throws Exception {
    byte[] message = TestKeks.envelope(keys, "eu").build().encrypt(PLAINTEXT, CONTEXT);
    Files.delete(keys.resolve("eu.kek"));
    Envelope envelope = TestKeks.envelope(keys, "eu").build();

    assertThatThrownBy(() -> envelope.decrypt(message, CONTEXT))
        .isInstanceOf(KeyUnavailableException.class);
  }

  @Test
  void preferredRegionComesBeforeTheConfiguredOrder() {
    FakeRegionalWrapper kms = new FakeRegionalWrapper();
    KeyRef euKek = KeyRef.parse("aws-kms:alias/orders?region=eu-west-1");
    KeyRef usKek = KeyRef.parse("aws-kms:alias/orders?region=us-east-1");
    Envelope writer = Envelope.builder().keyWrapper(kms).kek(usKek).kek(euKek).build();
    byte[] message = writer.encrypt(PLAINTEXT, CONTEXT);
    Envelope reader =
        Envelope.builder()
            .keyWrapper(kms)
            .kek(usKek)
            .kek(euKek)
            .preferredRegion("eu-west-1")
            .build();

    DecryptionResult result = reader.decryptWithDetails(message, CONTEXT);

    assertThat(result.openedBy()).isEqualTo(euKek);
    assertThat(kms.unwrapsBy()).containsExactly(euKek);
  }

  @Test
  void aHostReachingTheSameHsmKeyDifferentlyOpensTheMessage() {
    FakeRegionalWrapper hsm = new FakeRegionalWrapper(KeyRefScheme.PKCS11);
    KeyRef writerKek =
        KeyRef.parse("pkcs11:token=hsm1;object=kek;type=secret-key?pin-source=env:WRITER_PIN");
    KeyRef readerKek =
        KeyRef.parse(
            "pkcs11:token=hsm1;object=kek;type=secret-key?pin-source=file:/run/pin&module-path=/opt/p11.so");
    byte[] message =
        Envelope.builder().keyWrapper(hsm).kek(writerKek).build().encrypt(PLAINTEXT, CONTEXT);
    Envelope reader = Envelope.builder().keyWrapper(hsm).kek(readerKek).build();

    DecryptionResult result = reader.decryptWithDetails(message, CONTEXT);

    assertThat(result.plaintext()).isEqualTo(PLAINTEXT);
    assertThat(result.openedBy()).isEqualTo(readerKek);
    assertThat(hsm.unwrapsBy()).containsExactly(readerKek);
    Envelope otherKey =
        Envelope.builder()
            .keyWrapper(hsm)
            .kek(
                KeyRef.parse(
                    "pkcs11:token=hsm1;object=other;type=secret-key?pin-source=env:WRITER_PIN"))
            .build();
    assertThatThrownBy(() -> otherKey.decrypt(message, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("configured for none of them");
  }

  @Test
  void decryptOnlyKeksOpenOldMessagesAfterRotation() {
    byte[] old = TestKeks.envelope(keys, "v1").build().encrypt(PLAINTEXT, CONTEXT);
    Envelope rotated = TestKeks.envelope(keys, "v2").decryptOnlyKek(TestKeks.local("v1")).build();

    byte[] fresh = rotated.encrypt(PLAINTEXT, CONTEXT);

    assertThat(rotated.decryptWithDetails(old, CONTEXT).openedBy()).isEqualTo(TestKeks.local("v1"));
    assertThat(Envelope.inspect(fresh).wrappedKeys())
        .extracting(EnvelopeHeader.WrappedKeyInfo::keyRef)
        .containsExactly("local:v2");
  }

  @Test
  void rewrapReplacesAddsAndRemovesWrappedKeysWithoutTouchingTheBody() {
    Envelope v1 = TestKeks.envelope(keys, "v1").frameSize(16).build();
    byte[] plaintext = new byte[100];
    Arrays.fill(plaintext, (byte) 3);
    byte[] message = v1.encrypt(plaintext, CONTEXT);
    Envelope both = TestKeks.envelope(keys, "v1").decryptOnlyKek(TestKeks.local("v2")).build();

    byte[] added =
        both.rewrap(message, CONTEXT, List.of(TestKeks.local("v1"), TestKeks.local("v2")));
    byte[] replaced = both.rewrap(added, CONTEXT, List.of(TestKeks.local("v2")));

    assertThat(body(added)).isEqualTo(body(message));
    assertThat(body(replaced)).isEqualTo(body(message));
    // Version 2: the entries follow the 38 fixed bytes, the 28-byte context and the count; the
    // local:v1 entry is a 1-byte KeyRef field, "v1", a 1-byte length and 69 wrapped bytes.
    int entries = 38 + 28 + 1;
    assertThat(Arrays.copyOfRange(added, entries, entries + 1 + 2 + 1 + 69))
        .as("the kept wrapping is copied as it was")
        .isEqualTo(Arrays.copyOfRange(message, entries, entries + 1 + 2 + 1 + 69));
    Envelope v2 = TestKeks.envelope(keys, "v2").build();
    assertThat(v2.decryptWithDetails(replaced, CONTEXT).openedBy()).isEqualTo(TestKeks.local("v2"));
    assertThat(v2.decrypt(added, CONTEXT)).isEqualTo(plaintext);
    assertThatThrownBy(() -> v1.decrypt(replaced, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(Envelope.inspect(replaced).messageId())
        .isEqualTo(Envelope.inspect(message).messageId());
  }

  @Test
  void rewrapRefusesAnEmptyOrRepeatedKeyList() {
    Envelope envelope = TestKeks.envelope(keys, "v1").build();
    byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);

    assertThatThrownBy(() -> envelope.rewrap(message, CONTEXT, List.of()))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(
            () ->
                envelope.rewrap(
                    message, CONTEXT, List.of(TestKeks.local("v1"), TestKeks.local("v1"))))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void rewrapNeedsTheRightContext() {
    Envelope envelope = TestKeks.envelope(keys, "v1").build();
    byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);

    assertThatThrownBy(
            () ->
                envelope.rewrap(message, EncryptionContext.empty(), List.of(TestKeks.local("v2"))))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void encryptionGeneratesUnderTheFirstKekAndRewrapWithinABackendUsesItsOwnRewrap() {
    FakeRegionalWrapper kms = new FakeRegionalWrapper();
    KeyRef eu = KeyRef.parse("aws-kms:alias/orders?region=eu-west-1");
    KeyRef us = KeyRef.parse("aws-kms:alias/orders?region=us-east-1");
    KeyRef ap = KeyRef.parse("aws-kms:alias/orders?region=ap-south-1");
    Envelope envelope =
        Envelope.builder()
            .keyWrapper(kms)
            .keyWrapper(TestKeks.wrapper(keys))
            .kek(eu)
            .kek(us)
            .decryptOnlyKek(TestKeks.local("backup"))
            .build();
    byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);

    byte[] moved = envelope.rewrap(message, CONTEXT, List.of(ap, TestKeks.local("backup")));

    assertThat(kms.generatesBy()).containsExactly(eu);
    assertThat(kms.rewraps()).containsExactly(List.of(eu, ap));
    assertThat(Envelope.inspect(moved).wrappedKeys())
        .extracting(EnvelopeHeader.WrappedKeyInfo::keyRef)
        .containsExactly(ap.toString(), "local:backup");
    Envelope reader =
        Envelope.builder().keyWrapper(kms).keyWrapper(TestKeks.wrapper(keys)).kek(ap).build();
    assertThat(reader.decrypt(moved, CONTEXT)).isEqualTo(PLAINTEXT);
    Envelope backup = TestKeks.envelope(keys, "backup").build();
    assertThat(backup.decrypt(moved, CONTEXT)).isEqualTo(PLAINTEXT);
  }

  @Test
  void auditsEveryWrapAndUnwrapWithTheHeaderHashPrincipalAndRequestId() throws Exception {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    Envelope envelope =
        TestKeks.envelope(keys, "eu", "us")
            .auditSink(events::add)
            .principal(() -> "alice")
            .requestId(() -> "req-1")
            .build();

    byte[] message = envelope.encrypt(PLAINTEXT, CONTEXT);
    envelope.decrypt(message, CONTEXT);

    int headerLength = Envelope.inspect(message).headerLength();
    String headerHash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(message, headerLength)));
    assertThat(events)
        .extracting(AuditEvent::operation, e -> e.keyRef().orElseThrow(), AuditEvent::outcome)
        .containsExactly(
            Tuple.tuple(Operation.GENERATE_DATA_KEY, "local:eu", Outcome.SUCCESS),
            Tuple.tuple(Operation.WRAP, "local:us", Outcome.SUCCESS),
            Tuple.tuple(Operation.UNWRAP, "local:eu", Outcome.SUCCESS));
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.headerSha256()).contains(headerHash);
              assertThat(e.principal()).contains("alice");
              assertThat(e.requestId()).contains("req-1");
              assertThat(e.backend()).isEqualTo("local");
              assertThat(e.bytes()).isEqualTo(32);
            });
  }

  @Test
  void auditsARewrapWithTheHeadersItReadAndWrote() throws Exception {
    byte[] message = TestKeks.envelope(keys, "v1").build().encrypt(PLAINTEXT, CONTEXT);
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    Envelope envelope =
        TestKeks.envelope(keys, "v1")
            .decryptOnlyKek(TestKeks.local("v2"))
            .auditSink(events::add)
            .build();

    byte[] rewrapped =
        envelope.rewrap(message, CONTEXT, List.of(TestKeks.local("v1"), TestKeks.local("v2")));

    String before = sha256Hex(message, Envelope.inspect(message).headerLength());
    String after = sha256Hex(rewrapped, Envelope.inspect(rewrapped).headerLength());
    assertThat(events)
        .extracting(
            AuditEvent::operation,
            e -> e.keyRef().orElseThrow(),
            AuditEvent::outcome,
            e -> e.headerSha256().orElseThrow())
        .containsExactly(
            Tuple.tuple(Operation.UNWRAP, "local:v1", Outcome.SUCCESS, before),
            Tuple.tuple(Operation.REWRAP, "local:v2", Outcome.SUCCESS, after),
            Tuple.tuple(Operation.REWRAP, "local:v1", Outcome.SUCCESS, after));
  }

  private static String sha256Hex(byte[] message, int headerLength) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256").digest(Arrays.copyOf(message, headerLength)));
  }

  @Test
  void auditsAFailedUnwrap() throws Exception {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    byte[] message = TestKeks.envelope(keys, "eu").build().encrypt(PLAINTEXT, CONTEXT);
    Files.delete(keys.resolve("eu.kek"));
    Envelope envelope = TestKeks.envelope(keys, "eu").auditSink(events::add).build();

    assertThatThrownBy(() -> envelope.decrypt(message, CONTEXT))
        .isInstanceOf(KeyUnavailableException.class);

    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.operation()).isEqualTo(Operation.UNWRAP);
              assertThat(e.outcome()).isEqualTo(Outcome.KEY_UNAVAILABLE);
            });
  }

  @Test
  void auditsTheWrapsOfAMessageThatALaterWrapFailed() throws Exception {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    Envelope envelope = TestKeks.envelope(keys, "eu", "us").auditSink(events::add).build();
    TestKeks.writeKek(keys, "us", new byte[32]);
    Files.setPosixFilePermissions(
        keys.resolve("us.kek"), PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> envelope.encrypt(PLAINTEXT, CONTEXT))
        .isInstanceOf(ConfigurationException.class);

    // The data key was generated and wrapped under eu before us refused: the trail shows both.
    assertThat(events)
        .extracting(AuditEvent::operation, e -> e.keyRef().orElseThrow(), AuditEvent::outcome)
        .containsExactlyInAnyOrder(
            Tuple.tuple(Operation.GENERATE_DATA_KEY, "local:eu", Outcome.SUCCESS),
            Tuple.tuple(Operation.WRAP, "local:us", Outcome.CONFIGURATION_ERROR));
    assertThat(events).allSatisfy(e -> assertThat(e.headerSha256()).isEmpty());
  }

  @Test
  void auditsTheWrapsOfAStreamWhoseHeaderCouldNotBeWritten() {
    List<AuditEvent> events = new CopyOnWriteArrayList<>();
    Envelope envelope = TestKeks.envelope(keys, "eu", "us").auditSink(events::add).build();
    OutputStream refusing =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            throw new IOException("disk full");
          }
        };

    assertThatThrownBy(() -> envelope.encryptingStream(refusing, CONTEXT))
        .isInstanceOf(IOException.class);

    assertThat(events)
        .extracting(AuditEvent::operation, e -> e.keyRef().orElseThrow(), AuditEvent::outcome)
        .containsExactly(
            Tuple.tuple(Operation.GENERATE_DATA_KEY, "local:eu", Outcome.SUCCESS),
            Tuple.tuple(Operation.WRAP, "local:us", Outcome.SUCCESS));
    assertThat(events).allSatisfy(e -> assertThat(e.headerSha256()).isEmpty());
  }

  private static byte[] body(byte[] message) {
    int header = Envelope.inspect(message).headerLength();
    return Arrays.copyOfRange(message, header, message.length);
  }
}
