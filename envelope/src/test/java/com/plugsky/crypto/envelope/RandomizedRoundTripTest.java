package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.context.EncryptionContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * decrypt(encrypt(m, ctx), ctx) == m over random plaintexts, contexts, frame sizes and KEK sets, in
 * one-shot and streaming form in every combination. Seeded, so that a failure names a case that can
 * be replayed: jqwik is not set up in this build.
 */
class RandomizedRoundTripTest {
  private static final long SEED = 0x5EED_E17E_10BEL;
  private static final int CASES = 150;
  private static final List<String> KEKS = List.of("eu", "us", "ap", "hsm1");

  @TempDir Path keys;

  @Test
  void decryptInvertsEncrypt() throws IOException {
    Random random = new Random(SEED);
    for (int c = 0; c < CASES; c++) {
      int length = random.nextInt(4) == 0 ? random.nextInt(16) : random.nextInt(20_000);
      byte[] plaintext = new byte[length];
      random.nextBytes(plaintext);
      EncryptionContext context = randomContext(random);
      int frameSize = 1 << (4 + random.nextInt(10));
      List<String> writers = randomSubset(random);
      List<String> readers =
          new ArrayList<>(writers.subList(0, 1 + random.nextInt(writers.size())));
      Collections.shuffle(readers, random);
      Envelope writer =
          TestKeks.envelope(keys, writers.toArray(String[]::new)).frameSize(frameSize).build();
      Envelope reader = TestKeks.envelope(keys, readers.toArray(String[]::new)).build();
      String what =
          "case "
              + c
              + ": "
              + length
              + " bytes, frames of "
              + frameSize
              + ", "
              + context
              + ", written under "
              + writers
              + ", read with "
              + readers;

      byte[] message =
          random.nextBoolean()
              ? writer.encrypt(plaintext, context)
              : StreamTest.encryptInChunks(writer, plaintext, random, context);
      byte[] decrypted =
          random.nextBoolean()
              ? reader.decrypt(message, context)
              : StreamTest.decryptInChunks(reader, message, random, context);

      assertThat(decrypted).as(what).isEqualTo(plaintext);
      assertThat(reader.decryptWithDetails(message, context).openedBy().toString())
          .as(what)
          .isEqualTo("local:" + readers.getFirst());
    }
  }

  private static EncryptionContext randomContext(Random random) {
    EncryptionContext.Builder builder = EncryptionContext.builder();
    int pairs = random.nextInt(4);
    for (int i = 0; i < pairs; i++) {
      builder.put(
          "k" + i + "-" + random.nextInt(1000),
          random.nextBoolean() ? "" : "v\u00e9" + random.nextLong());
    }
    return builder.build();
  }

  private static List<String> randomSubset(Random random) {
    List<String> shuffled = new ArrayList<>(KEKS);
    Collections.shuffle(shuffled, random);
    return List.copyOf(shuffled.subList(0, 1 + random.nextInt(KEKS.size())));
  }
}
