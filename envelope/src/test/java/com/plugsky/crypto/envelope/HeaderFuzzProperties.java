package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.context.EncryptionContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
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
 * Fuzzing of the header parser and the decryptor with generated edits (set, flip, extreme pairs,
 * truncate, insert, delete), most of them inside the header where the counts and lengths are:
 * whatever the bytes, {@code inspect} returns or throws {@link MalformedCiphertextException}, and
 * decryption, one-shot or streaming, returns the original plaintext or throws that or {@link
 * AuthenticationFailedException}; never another exception, and never a different plaintext. jqwik
 * shrinks a failure to the fewest, smallest edits.
 */
class HeaderFuzzProperties {
  private static final EncryptionContext CONTEXT =
      EncryptionContext.of("tenant", "acme", "purpose", "orders");

  /** Offsets below this land in the header or the first frames; others anywhere. */
  private static final int HEADER_REACH = 300;

  private static Path keys;
  private static Envelope envelope;
  private static List<byte[]> seeds;

  @BeforeContainer
  static void writeSeedMessages() throws IOException {
    keys = Files.createTempDirectory("header-fuzz-keks");
    envelope = TestKeks.envelope(keys, "eu", "us").frameSize(32).build();
    byte[] plaintext = new byte[75];
    new Random(75).nextBytes(plaintext);
    seeds =
        List.of(
            envelope.encrypt(plaintext, CONTEXT),
            TestKeks.envelope(keys, "us").frameSize(32).build().encrypt(plaintext, CONTEXT));
  }

  @AfterContainer
  static void deleteKeys() throws IOException {
    try (Stream<Path> files = Files.walk(keys)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  /** One change to a message; offsets past its end wrap around. */
  sealed interface Edit {
    byte[] applyTo(byte[] message);
  }

  record SetByte(int at, byte value) implements Edit {
    public byte[] applyTo(byte[] message) {
      byte[] out = message.clone();
      if (out.length > 0) {
        out[at % out.length] = value;
      }
      return out;
    }
  }

  record FlipBit(int at, int bit) implements Edit {
    public byte[] applyTo(byte[] message) {
      byte[] out = message.clone();
      if (out.length > 0) {
        out[at % out.length] ^= (byte) (1 << bit);
      }
      return out;
    }
  }

  /** Two neighbouring bytes set to values that make length and count fields extreme. */
  record ExtremePair(int at, byte first, byte second) implements Edit {
    public byte[] applyTo(byte[] message) {
      byte[] out = message.clone();
      if (out.length > 1) {
        int i = at % (out.length - 1);
        out[i] = first;
        out[i + 1] = second;
      }
      return out;
    }
  }

  record Truncate(int length) implements Edit {
    public byte[] applyTo(byte[] message) {
      return Arrays.copyOf(message, length % (message.length + 1));
    }
  }

  record Insert(int at, byte[] bytes) implements Edit {
    public byte[] applyTo(byte[] message) {
      int i = at % (message.length + 1);
      byte[] out = new byte[message.length + bytes.length];
      System.arraycopy(message, 0, out, 0, i);
      System.arraycopy(bytes, 0, out, i, bytes.length);
      System.arraycopy(message, i, out, i + bytes.length, message.length - i);
      return out;
    }
  }

  record Delete(int at, int length) implements Edit {
    public byte[] applyTo(byte[] message) {
      if (message.length == 0) {
        return message;
      }
      int i = at % message.length;
      int n = Math.min(length, message.length - i);
      byte[] out = new byte[message.length - n];
      System.arraycopy(message, 0, out, 0, i);
      System.arraycopy(message, i + n, out, i, message.length - i - n);
      return out;
    }
  }

  @Property(tries = 4000)
  void editedMessagesFailOnlyWithTypedExceptions(
      @ForAll @IntRange(min = 0, max = 1) int seedIndex,
      @ForAll("edits") List<Edit> edits,
      @ForAll boolean streamed) {
    byte[] seed = seeds.get(seedIndex);
    byte[] edited = seed;
    for (Edit edit : edits) {
      edited = edit.applyTo(edited);
    }
    byte[] message = edited;

    Throwable inspectFailure = catchThrowable(() -> Envelope.inspect(message));
    if (inspectFailure != null) {
      assertThat(inspectFailure).isInstanceOf(MalformedCiphertextException.class);
    }
    Throwable decryptFailure = catchThrowable(() -> decryptAll(message, streamed));
    if (decryptFailure == null) {
      assertThat(message).as("only an unchanged message decrypts").isEqualTo(seed);
    } else {
      assertThat(decryptFailure)
          .isInstanceOfAny(MalformedCiphertextException.class, AuthenticationFailedException.class);
    }
  }

  @Provide
  Arbitrary<List<Edit>> edits() {
    Arbitrary<Integer> at =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.integers().between(0, HEADER_REACH - 1)),
            Tuple.of(1, Arbitraries.integers().between(0, Integer.MAX_VALUE)));
    Arbitrary<Byte> extreme =
        Arbitraries.of((byte) 0, (byte) 1, (byte) 0x7f, (byte) 0x80, (byte) 0xff);
    Arbitrary<byte[]> inserted = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(8);
    Arbitrary<Edit> edit =
        Arbitraries.oneOf(
            Combinators.combine(at, Arbitraries.bytes()).as(SetByte::new),
            Combinators.combine(at, Arbitraries.integers().between(0, 7)).as(FlipBit::new),
            Combinators.combine(at, extreme, Arbitraries.oneOf(extreme, Arbitraries.bytes()))
                .as(ExtremePair::new),
            at.map(Truncate::new),
            Combinators.combine(at, inserted).as(Insert::new),
            Combinators.combine(at, Arbitraries.integers().between(1, 8)).as(Delete::new));
    return edit.list().ofMinSize(1).ofMaxSize(3);
  }

  private static void decryptAll(byte[] message, boolean streamed) throws Exception {
    if (!streamed) {
      envelope.decrypt(message, CONTEXT);
      return;
    }
    try (InputStream in = envelope.decryptingStream(new ByteArrayInputStream(message), CONTEXT)) {
      in.transferTo(new ByteArrayOutputStream());
    }
  }
}
