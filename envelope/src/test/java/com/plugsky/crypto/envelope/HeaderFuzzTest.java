package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.context.EncryptionContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutation fuzzing of the header parser and the decryptor, seeded so that a failure can be replayed
 * (Jazzer is not set up in this build): whatever the bytes, {@code inspect} returns or throws
 * {@link MalformedCiphertextException}, and decryption returns the original plaintext or throws
 * that or {@link AuthenticationFailedException}; never another exception, and never a different
 * plaintext.
 */
class HeaderFuzzTest {
  private static final long SEED = 0xF022_4EADL;
  private static final int ROUNDS = 4000;
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of("tenant", "acme", "purpose", "orders");

  @TempDir Path keys;

  @Test
  void mutatedMessagesFailOnlyWithTypedExceptions() {
    Random random = new Random(SEED);
    Envelope envelope = TestKeks.envelope(keys, "eu", "us").frameSize(32).build();
    byte[] plaintext = new byte[75];
    random.nextBytes(plaintext);
    List<byte[]> seeds =
        List.of(
            envelope.encrypt(plaintext, CONTEXT),
            TestKeks.envelope(keys, "us").frameSize(32).build().encrypt(plaintext, CONTEXT));
    for (int round = 0; round < ROUNDS; round++) {
      byte[] seed = seeds.get(random.nextInt(seeds.size()));
      byte[] mutated = mutate(seed, random);
      String what = "round " + round;

      Throwable inspectFailure = catchThrowable(() -> Envelope.inspect(mutated));
      if (inspectFailure != null) {
        assertThat(inspectFailure).as(what).isInstanceOf(MalformedCiphertextException.class);
      }

      boolean stream = random.nextBoolean();
      Throwable decryptFailure = catchThrowable(() -> decryptAll(envelope, mutated, stream));
      if (decryptFailure == null) {
        assertThat(mutated).as(what + ": only an unchanged message decrypts").isEqualTo(seed);
      } else {
        assertThat(decryptFailure)
            .as(what)
            .isInstanceOfAny(
                MalformedCiphertextException.class, AuthenticationFailedException.class);
      }
    }
  }

  private static void decryptAll(Envelope envelope, byte[] message, boolean stream)
      throws Exception {
    if (!stream) {
      envelope.decrypt(message, CONTEXT);
      return;
    }
    try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      in.transferTo(new ByteArrayOutputStream());
    }
  }

  /** One to three random edits biased to the header, where the length fields are. */
  private static byte[] mutate(byte[] seed, Random random) {
    byte[] out = seed.clone();
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int headerEnd = Math.min(out.length, 300);
      int at =
          out.length == 0 ? 0 : random.nextInt(random.nextInt(4) == 0 ? out.length : headerEnd);
      switch (random.nextInt(6)) {
        case 0 -> {
          if (out.length > 0) {
            out[at] = (byte) random.nextInt(256);
          }
        }
        case 1 -> {
          if (out.length > at + 1) {
            int extreme = new int[] {0, 1, 0x7f, 0x80, 0xff}[random.nextInt(5)];
            out[at] = (byte) extreme;
            out[at + 1] = (byte) (random.nextBoolean() ? extreme : random.nextInt(256));
          }
        }
        case 2 -> out = Arrays.copyOf(out, random.nextInt(out.length + 1));
        case 3 -> {
          byte[] inserted = new byte[1 + random.nextInt(8)];
          random.nextBytes(inserted);
          byte[] longer = new byte[out.length + inserted.length];
          System.arraycopy(out, 0, longer, 0, at);
          System.arraycopy(inserted, 0, longer, at, inserted.length);
          System.arraycopy(out, at, longer, at + inserted.length, out.length - at);
          out = longer;
        }
        case 4 -> {
          int length = Math.min(out.length - at, 1 + random.nextInt(8));
          byte[] shorter = new byte[out.length - length];
          System.arraycopy(out, 0, shorter, 0, at);
          System.arraycopy(out, at + length, shorter, at, out.length - at - length);
          out = shorter;
        }
        default -> {
          if (out.length > 0) {
            out[at] ^= (byte) (1 << random.nextInt(8));
          }
        }
      }
    }
    return out;
  }
}
