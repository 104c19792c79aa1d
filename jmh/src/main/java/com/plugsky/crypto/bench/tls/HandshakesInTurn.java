package com.plugsky.crypto.bench.tls;

import com.plugsky.crypto.bench.inturn.WindowsInTurn;
import java.util.Locale;

/**
 * Full TLS 1.3 handshakes on BoringSSL with the server's P-256 key held in SoftHSM2 and with the
 * same key type in a file, measured in turn in one JVM ({@link WindowsInTurn}) on {@link
 * HsmHandshakeBenchmark}'s two trials: the HSM key's handshakes per second over the file key's
 * (issue 7's target: at least 0.8x). Two more arguments pick other trials of that benchmark: {@code
 * file-ec-p256+hsm-sign file-ec-p256} gives what one SoftHSM2 signature between handshakes costs a
 * server that signs on its own thread, whatever its TLS integration, and {@code hsm-ec-p256
 * file-ec-p256+hsm-sign} what the integration costs beyond that signature.
 *
 * <p>{@code java -cp "cli/target/plugsky-crypto.jar:cli/target/lib/*" -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
 * com.plugsky.crypto.bench.tls.HandshakesInTurn [windows] [handshakes per window] [trial]
 * [baseline]}
 */
public final class HandshakesInTurn {
  private static final int WARM_UP_PAIRS = 6;

  private HandshakesInTurn() {}

  public static void main(String[] args) throws Exception {
    int windows = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int perWindow = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    String measured = args.length > 2 ? args[2] : "hsm-ec-p256";
    String baseline = args.length > 3 ? args[3] : "file-ec-p256";
    HsmHandshakeBenchmark baselineTrial = trial(baseline);
    HsmHandshakeBenchmark measuredTrial = trial(measured);
    try {
      WindowsInTurn.Ratio ratio =
          WindowsInTurn.measure(
              count -> handshakes(measuredTrial, count),
              count -> handshakes(baselineTrial, count),
              WARM_UP_PAIRS,
              windows,
              perWindow,
              (measuredNanos, baselineNanos, pair) ->
                  System.out.printf(
                      Locale.ROOT,
                      "%s %.1f µs, %s %.1f µs an operation: %.3fx%n",
                      measured,
                      measuredNanos / 1e3,
                      baseline,
                      baselineNanos / 1e3,
                      pair));
      System.out.println(
          "operations per second, "
              + measured
              + " over "
              + baseline
              + ": "
              + ratio.summary("operations"));
    } finally {
      measuredTrial.tearDown();
      baselineTrial.tearDown();
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
