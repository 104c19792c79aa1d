package com.plugsky.crypto.bench.envelope;

import com.plugsky.crypto.bench.envelope.Sealers.Sealer;
import com.plugsky.crypto.bench.inturn.WindowsInTurn;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Locale;

/**
 * Two envelope implementations ({@link Sealers#named} names) measured in turn in one JVM ({@link
 * WindowsInTurn}): the peer's time per message over ours.
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

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: InTurn OURS PEER [encrypt|decrypt] [size] [windows >= 4] [messages per window]");
      System.exit(2);
    }
    boolean decrypt = args.length > 2 && args[2].equals("decrypt");
    int size = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
    int windows = args.length > 4 ? Integer.parseInt(args[4]) : 40;
    int perWindow = args.length > 5 ? Integer.parseInt(args[5]) : 100_000;
    Path keyDirectory = KeyDirectories.create();
    try (Sealer first = Sealers.named(args[0], keyDirectory);
        Sealer second = Sealers.named(args[1], keyDirectory)) {
      Side ours = new Side(args[0], first, size, decrypt);
      Side peer = new Side(args[1], second, size, decrypt);
      WindowsInTurn.Ratio ratio =
          WindowsInTurn.measure(
              ours::run,
              peer::run,
              10,
              windows,
              perWindow,
              (oursNanos, peerNanos, pair) ->
                  System.out.printf(
                      Locale.ROOT,
                      "%s %,.0f ns, %s %,.0f ns: %.2fx%n",
                      args[0],
                      oursNanos,
                      args[1],
                      peerNanos,
                      pair));
      System.out.printf(
          Locale.ROOT,
          "%s, %d bytes: %s's time per message over %s's: %s%n",
          decrypt ? "decrypt" : "encrypt",
          size,
          args[1],
          args[0],
          ratio.summary("messages"));
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

    /** Nanoseconds for {@code count} messages. */
    long run(int count) throws GeneralSecurityException {
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        sink =
            messages == null
                ? sealer.seal(plaintext)
                : sealer.open(messages[next++ & (messages.length - 1)]);
      }
      return System.nanoTime() - start;
    }
  }
}
