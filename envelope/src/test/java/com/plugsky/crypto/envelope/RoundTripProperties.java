package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.context.EncryptionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * decrypt(encrypt(m, ctx), ctx) == m for generated plaintexts (empty to past the default frame),
 * contexts, frame sizes (16 B to the default 64 KiB) and KEK sets, written and read one-shot or as
 * streams in chunks of random sizes, and the message opens under the first KEK the reader lists.
 * jqwik shrinks a failing case to a small one and prints its seed for replay.
 */
class RoundTripProperties {
  private static final List<String> KEKS = List.of("eu", "us", "ap", "hsm1");

  /** One directory of KEKs for every try: the wrappers create each KEK on its first wrap. */
  private static Path keys;

  @BeforeContainer
  static void makeKeyDirectory() throws IOException {
    keys = Files.createTempDirectory("round-trip-keks");
  }

  @AfterContainer
  static void deleteKeyDirectory() throws IOException {
    try (Stream<Path> files = Files.walk(keys)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  /** The KEKs a message is written under and those its reader is configured with, in order. */
  record KekSets(List<String> writers, List<String> readers) {}

  @Property(tries = 150)
  void decryptInvertsEncrypt(
      @ForAll("plaintexts") byte[] plaintext,
      @ForAll("contexts") EncryptionContext context,
      @ForAll @IntRange(min = 4, max = 16) int frameExponent,
      @ForAll("kekSets") KekSets keks,
      @ForAll boolean streamedIn,
      @ForAll boolean streamedOut,
      @ForAll Random chunking)
      throws IOException {
    Envelope writer =
        TestKeks.envelope(keys, keks.writers().toArray(String[]::new))
            .frameSize(1 << frameExponent)
            .build();
    Envelope reader = TestKeks.envelope(keys, keks.readers().toArray(String[]::new)).build();

    byte[] message =
        streamedIn
            ? StreamTest.encryptInChunks(writer, plaintext, chunking, context)
            : writer.encrypt(plaintext, context);
    byte[] decrypted =
        streamedOut
            ? StreamTest.decryptInChunks(reader, message, chunking, context)
            : reader.decrypt(message, context);

    assertThat(decrypted).isEqualTo(plaintext);
    assertThat(reader.decryptWithDetails(message, context).openedBy().toString())
        .isEqualTo("local:" + keks.readers().getFirst());
  }

  @Provide
  Arbitrary<byte[]> plaintexts() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
        Tuple.of(6, Arbitraries.bytes().array(byte[].class).ofMaxSize(20_000)),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(65_536).ofMaxSize(70_000)));
  }

  @Provide
  Arbitrary<EncryptionContext> contexts() {
    Arbitrary<String> names =
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .withChars('-', '.')
            .ofMinLength(1)
            .ofMaxLength(12);
    Arbitrary<String> values =
        Arbitraries.strings().withCharRange(' ', '~').withChars('\u00e9', '\u65e5').ofMaxLength(24);
    return Arbitraries.maps(names, values).ofMaxSize(4).map(RoundTripProperties::contextOf);
  }

  @Provide
  Arbitrary<KekSets> kekSets() {
    return Arbitraries.shuffle(KEKS)
        .flatMap(
            order ->
                Arbitraries.integers()
                    .between(1, order.size())
                    .flatMap(
                        writerCount -> {
                          List<String> writers = List.copyOf(order.subList(0, writerCount));
                          return Combinators.combine(
                                  Arbitraries.integers().between(1, writerCount),
                                  Arbitraries.shuffle(writers))
                              .as(
                                  (readerCount, shuffled) ->
                                      new KekSets(
                                          writers, List.copyOf(shuffled.subList(0, readerCount))));
                        }));
  }

  private static EncryptionContext contextOf(Map<String, String> pairs) {
    EncryptionContext.Builder builder = EncryptionContext.builder();
    pairs.forEach(builder::put);
    return builder.build();
  }
}
