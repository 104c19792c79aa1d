package com.plugsky.crypto.bench.tls;

import com.plugsky.crypto.bench.inturn.WindowsInTurn;
import java.util.Locale;

/**
 * Full TLS 1.3 handshakes on BoringSSL with the server's P-256 key held in SoftHSM2 and with the
 * same key type in a file, measured in turn in one JVM ({@link WindowsInTurn}) on {@link
 * HsmHandshakeBenchmark}'s two trials: the HSM key's handshakes per second over the file key's
 * (issue 7's target: at least 0.8x).
 *
 * <p>{@code java -cp "cli/target/plugsky-crypto.jar:cli/target/lib/*" -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
 * com.plugsky.crypto.bench.tls.HandshakesInTurn [windows] [handshakes per window]}
 */
public final class HandshakesInTurn {
  private static final int WARM_UP_PAIRS = 6;

  private HandshakesInTurn() {}

  public static void main(String[] args) throws Exception {
    int windows = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int perWindow = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    HsmHandshakeBenchmark fileKey = trial("file-ec-p256");
    HsmHandshakeBenchmark hsmKey = trial("hsm-ec-p256");
    try {
      WindowsInTurn.Ratio ratio =
          WindowsInTurn.measure(
              count -> handshakes(hsmKey, count),
              count -> handshakes(fileKey, count),
              WARM_UP_PAIRS,
              windows,
              perWindow,
              (hsmNanos, fileNanos, pair) ->
                  System.out.printf(
                      Locale.ROOT,
                      "HSM key %.1f µs, file key %.1f µs a handshake: %.3fx%n",
                      hsmNanos / 1e3,
                      fileNanos / 1e3,
                      pair));
      System.out.println(
          "full handshakes per second, the HSM-held P-256 key's over the file key's: "
              + ratio.summary("handshakes"));
    } finally {
      hsmKey.tearDown();
      fileKey.tearDown();
    }
  }

  private static HsmHandshakeBenchmark trial(String key) throws Exception {
    HsmHandshakeBenchmark trial = new HsmHandshakeBenchmark();
    trial.engine = "boringssl";
    trial.key = key;
    trial.setUp();
    return trial;
  }

  private static long handshakes(HsmHandshakeBenchmark trial, int count) throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      trial.fullHandshake();
    }
    return System.nanoTime() - start;
  }
}
