package com.plugsky.crypto.bench.tls;

import com.plugsky.crypto.bench.inturn.WindowsInTurn;
import java.util.Locale;

/**
 * Our TLS 1.3 contexts against contexts made straight with Netty's {@code SslContextBuilder} on the
 * same provider, measured in turn in one JVM ({@link WindowsInTurn}) on the trials of {@link
 * PolicyHandshakeBenchmark} and {@link RawNettyHandshakeBenchmark} (or the two bulk benchmarks):
 * ours per second over the raw peer's (issue 7's target: at least 0.95x, the policy layer costing
 * nothing). Separate JMH forks of the two drift apart by more than that on this machine.
 *
 * <p>{@code java -cp "cli/target/plugsky-crypto.jar:cli/target/lib/*" -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow
 * com.plugsky.crypto.bench.tls.PolicyInTurn full|resumed|bulk ec-p256|rsa-2048 [windows]
 * [operations per window] [boringssl|jdk]} (bulk: 16 KiB sealed and opened, on the P-256 pair).
 */
public final class PolicyInTurn {
  private static final int WARM_UP_PAIRS = 6;

  private PolicyInTurn() {}

  /** One benchmark operation, repeated. */
  private interface Operation {
    void run() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: PolicyInTurn full|resumed|bulk ec-p256|rsa-2048 [windows] [per window]"
              + " [boringssl|jdk]");
      System.exit(2);
    }
    String operation = args[0];
    String key = args[1];
    int windows = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int perWindow = args.length > 3 ? Integer.parseInt(args[3]) : 1_000;
    String provider = args.length > 4 ? args[4] : "boringssl";
    Operation ours =
        operation.equals("bulk") ? oursBulk(provider) : ourHandshakes(operation, provider, key);
    Operation raw =
        operation.equals("bulk") ? rawBulk(provider) : rawHandshakes(operation, provider, key);
    WindowsInTurn.Ratio ratio =
        WindowsInTurn.measure(
            count -> time(ours, count),
            count -> time(raw, count),
            WARM_UP_PAIRS,
            windows,
            perWindow,
            (oursNanos, rawNanos, pair) ->
                System.out.printf(
                    Locale.ROOT,
                    "ours %.2f µs, raw Netty %.2f µs an operation: %.3fx%n",
                    oursNanos / 1e3,
                    rawNanos / 1e3,
                    pair));
    System.out.println(
        String.format(Locale.ROOT, "%s %s on %s, ours over raw Netty: ", operation, key, provider)
            + ratio.summary("operations"));
  }

  private static Operation ourHandshakes(String operation, String provider, String key)
      throws Exception {
    PolicyHandshakeBenchmark trial = new PolicyHandshakeBenchmark();
    trial.engine = provider;
    trial.key = key;
    trial.setUp();
    return handshakes(trial, operation);
  }

  private static Operation rawHandshakes(String operation, String provider, String key)
      throws Exception {
    RawNettyHandshakeBenchmark trial = new RawNettyHandshakeBenchmark();
    trial.peer = "netty-" + provider;
    trial.key = key;
    trial.setUp();
    return handshakes(trial, operation);
  }

  private static Operation handshakes(HandshakeBenchmarks trial, String operation) {
    return switch (operation) {
      case "full" -> trial::fullHandshake;
      case "resumed" -> trial::resumedHandshake;
      default -> throw new IllegalArgumentException("unknown operation " + operation);
    };
  }

  private static Operation oursBulk(String provider) throws Exception {
    PolicyBulkBenchmark trial = new PolicyBulkBenchmark();
    trial.engine = provider;
    trial.size = 16_384;
    trial.setUp();
    return trial::wrapUnwrap;
  }

  private static Operation rawBulk(String provider) throws Exception {
    RawNettyBulkBenchmark trial = new RawNettyBulkBenchmark();
    trial.peer = "netty-" + provider;
    trial.size = 16_384;
    trial.setUp();
    return trial::wrapUnwrap;
  }

  private static long time(Operation operation, int count) throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      operation.run();
    }
    return System.nanoTime() - start;
  }
}
