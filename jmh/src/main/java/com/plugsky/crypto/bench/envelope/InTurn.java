package com.plugsky.crypto.bench.envelope;

import com.plugsky.crypto.bench.envelope.Sealers.Sealer;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Two envelope implementations ({@link Sealers#named} names) measured in turn in one JVM: a window
 * of messages through each (which goes first alternates), again and again, and the ratio of each
 * adjacent pair of windows. JMH runs every fork of one benchmark before the
 * next, and forks of one command differ by up to 30% on a shared virtual machine, which moves a
 * ratio of two rows as much; windows a fraction of a second apart share the machine's state, so
 * the median of their ratios is the steadier figure. JMH's tables stay the record; this checks a
 * ratio that sits near a target.
 *
 * <p>{@code java -cp "cli/target/plugsky-crypto.jar:cli/target/lib/*" -Xms2g -Xmx2g
 * -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED
 * com.plugsky.crypto.bench.envelope.InTurn envelope tink [encrypt|decrypt] [size] [windows]
 * [messages per window]}
 */
public final class InTurn {
  /** Where results go, so that the JIT keeps the work. */
  static Object sink;

  private InTurn() {}

  public static void main(String[] args) throws IOException, GeneralSecurityException {
    if (args.length < 2) {
      System.err.println(
          "usage: InTurn OURS PEER [encrypt|decrypt] [size] [windows] [messages per window]");
      System.exit(2);
    }
    boolean decrypt = args.length > 2 && args[2].equals("decrypt");
    int size = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
    int windows = args.length > 4 ? Integer.parseInt(args[4]) : 40;
    int perWindow = args.length > 5 ? Integer.parseInt(args[5]) : 100_000;
    if (windows < 4 || perWindow < 1) {
      System.err.println("InTurn needs at least 4 windows of at least 1 message");
      System.exit(2);
    }
    Path keyDirectory = KeyDirectories.create();
    try (Sealer first = Sealers.named(args[0], keyDirectory);
        Sealer second = Sealers.named(args[1], keyDirectory)) {
      Side ours = new Side(args[0], first, size, decrypt);
      Side peer = new Side(args[1], second, size, decrypt);
      for (int i = 0; i < 10; i++) {
        ours.run(perWindow);
        peer.run(perWindow);
      }
      double[] ratios = new double[windows];
      for (int w = 0; w < windows; w++) {
        // Which side goes first alternates, so that neither always follows the other.
        double oursNanos;
        double peerNanos;
        if (w % 2 == 0) {
          oursNanos = ours.run(perWindow);
          peerNanos = peer.run(perWindow);
        } else {
          peerNanos = peer.run(perWindow);
          oursNanos = ours.run(perWindow);
        }
        ratios[w] = peerNanos / oursNanos;
        System.out.printf(
            Locale.ROOT,
            "%s %,.0f ns, %s %,.0f ns: %.2fx%n",
            args[0],
            oursNanos,
            args[1],
            peerNanos,
            ratios[w]);
      }
      Arrays.sort(ratios);
      System.out.printf(
          Locale.ROOT,
          "%s, %d bytes: %s takes %.2fx the time of %s per message (median; quartiles %.2fx"
              + " and %.2fx) over %d pairs of windows of %d messages%n",
          decrypt ? "decrypt" : "encrypt",
          size,
          args[1],
          ratios[windows / 2],
          args[0],
          ratios[windows / 4],
          ratios[(3 * windows) / 4],
          windows,
          perWindow);
    } finally {
      KeyDirectories.delete(keyDirectory);
    }
  }

  /** One implementation and its inputs: the plaintext, or messages opened in turn. */
  private static final class Side {
    private final Sealer sealer;
    private final byte[] plaintext;
    private final byte[][] messages;
    private int next;

    Side(String name, Sealer sealer, int size, boolean decrypt) throws GeneralSecurityException {
      this.sealer = sealer;
      this.plaintext = CryptoRandom.bytes(size);
      this.messages = decrypt ? Sealers.messagesToOpen(name, sealer, plaintext) : null;
    }

    /** Nanoseconds per message over {@code count} messages. */
    double run(int count) throws GeneralSecurityException {
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        sink =
            messages == null
                ? sealer.seal(plaintext)
                : sealer.open(messages[next++ & (messages.length - 1)]);
      }
      return (System.nanoTime() - start) / (double) count;
    }
  }
}
