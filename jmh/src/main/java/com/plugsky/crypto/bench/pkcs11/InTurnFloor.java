package com.plugsky.crypto.bench.pkcs11;

import com.plugsky.crypto.bench.inturn.WindowsInTurn;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.ffm.FfmHsm;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The ffm backend and the C floor's loop ({@link FloorLibrary}) measured in turn in one JVM ({@link
 * WindowsInTurn}), on one SoftHSM2 token with the same keys: windows of operations on every thread
 * through each, and the backend's rate over the floor's, for a target that asks the backend for
 * 0.97x its floor. Each thread has a session of its own on both sides: the backend's checked out of
 * its pool for each call ({@code pooled}), or held by the thread for the window ({@code held},
 * {@link FfmHsm#holdSession()}: the bare session).
 *
 * <p>{@code java -cp "cli/target/plugsky-crypto.jar:cli/target/lib/*" -Xms1g -Xmx1g
 * -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED
 * com.plugsky.crypto.bench.pkcs11.InTurnFloor [pooled|held] [threads] [windows] [operations per
 * thread and window] [operation...]}, after jmh/pkcs11-floor.sh -b; operations: aes-gcm,
 * wrap-pad, unwrap-pad, ecdsa-p256 (all four when none is named).
 */
public final class InTurnFloor {
  private static final List<String> OPERATIONS = List.of("aes-gcm", "wrap-pad", "unwrap-pad", "ecdsa-p256");
  private static final int WARM_UP_PAIRS = 5;

  private InTurnFloor() {}

  public static void main(String[] args) throws Throwable {
    boolean held = args.length > 0 && args[0].equals("held");
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int windows = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int perWindow = args.length > 3 ? Integer.parseInt(args[3]) : 2_000;
    List<String> operations = args.length > 4 ? Arrays.asList(args).subList(4, args.length) : OPERATIONS;
    if (args.length > 0 && !held && !args[0].equals("pooled")
        || threads < 1
        || windows < 4
        || perWindow < 1
        || !OPERATIONS.containsAll(operations)) {
      System.err.println(
          "usage: InTurnFloor [pooled|held] [threads >= 1] [windows >= 4] [operations per thread"
              + " and window] [operation...], operations among " + OPERATIONS);
      System.exit(2);
    }
    ExecutorService workers = Executors.newFixedThreadPool(threads);
    try (Hsm hsm = Hsm.open(SoftHsmToken.config(HsmConfig.Backend.FFM, threads))) {
      TrialKeys keys = TrialKeys.generate(hsm);
      byte[] wrapped = keys.wrapSecret(hsm);
      FloorLibrary floor =
          FloorLibrary.attach(keys.aes().label().orElseThrow(), keys.ec().label().orElseThrow());
      for (String operation : operations) {
        MemorySegment floorOperation = FloorLibrary.operation(operation);
        String sessions = held ? "held sessions" : "pooled sessions";
        WindowsInTurn.Ratio ratio =
            WindowsInTurn.measure(
                count ->
                    onEveryThread(
                        workers,
                        threads,
                        () -> {
                          try (FfmHsm.HeldSession session =
                              held ? ((FfmHsm) hsm).holdSession() : null) {
                            for (int i = 0; i < count; i++) {
                              keys.runOnBackend(hsm, operation, wrapped);
                            }
                          }
                          return null;
                        }),
                count ->
                    onEveryThread(
                        workers,
                        threads,
                        () -> {
                          floor.run(floorOperation, count);
                          return null;
                        }),
                WARM_UP_PAIRS,
                windows,
                perWindow,
                (backendNanos, floorNanos, pair) ->
                    System.out.printf(
                        Locale.ROOT,
                        "%s, %d thread(s), %s: ffm %.1f µs, C floor %.1f µs per operation: %.3fx%n",
                        operation,
                        threads,
                        sessions,
                        backendNanos / 1e3,
                        floorNanos / 1e3,
                        pair));
        System.out.printf(
            Locale.ROOT,
            "%s, %d thread(s), %s: ffm's rate over the C floor's: %s%n",
            operation,
            threads,
            sessions,
            ratio.summary("operations per thread"));
      }
    } finally {
      workers.shutdownNow();
    }
  }

  /** Runs {@code window} once on each of {@code threads} workers; the nanoseconds until all are done. */
  private static long onEveryThread(ExecutorService workers, int threads, Callable<Object> window)
      throws Exception {
    List<Callable<Object>> copies = new ArrayList<>(threads);
    for (int t = 0; t < threads; t++) {
      copies.add(window);
    }
    long start = System.nanoTime();
    for (Future<Object> done : workers.invokeAll(copies)) {
      done.get();
    }
    return System.nanoTime() - start;
  }
}
