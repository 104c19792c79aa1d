package com.plugsky.crypto.bench.inturn;

import java.util.Arrays;
import java.util.Locale;

/**
 * Two implementations measured in turn in one JVM: a window of operations through each, which one
 * goes first alternating, again and again, and the ratio of each adjacent pair of windows. JMH runs
 * one benchmark's forks before the next, and forks of one command on this shared virtual machine
 * differ by up to 30% (its two vCPUs run the same C loop up to 45% apart), which moves a ratio of
 * two rows as much; windows a fraction of a second apart share the machine's state, so the median
 * of their ratios is the steadier figure for a ratio that sits near a target. JMH's tables stay the
 * record. Used by the envelope's {@code InTurn}, the PKCS#11 {@code InTurnFloor} and the TLS {@code
 * HandshakesInTurn}.
 */
public final class WindowsInTurn {
  private WindowsInTurn() {}

  /** Runs {@code count} operations; returns the nanoseconds they took. */
  @FunctionalInterface
  public interface Window {
    long run(int count) throws Exception;
  }

  /** Told each measured pair: both sides' nanoseconds per operation and the ratio. */
  @FunctionalInterface
  public interface PairListener {
    void measured(double firstNanos, double secondNanos, double ratio);
  }

  /**
   * The median and quartiles of {@code second}'s time over {@code first}'s across {@code windows}
   * measured pairs of windows of {@code perWindow} operations, after {@code warmUpPairs} unmeasured
   * ones.
   */
  public record Ratio(
      double median, double lowerQuartile, double upperQuartile, int windows, int perWindow) {
    /**
     * As {@code 0.775x (median; quartiles 0.766x and 0.787x) over 40 pairs of windows of 1000
     * handshakes}.
     */
    public String summary(String operations) {
      return String.format(
          Locale.ROOT,
          "%.3fx (median; quartiles %.3fx and %.3fx) over %d pairs of windows of %d %s",
          median,
          lowerQuartile,
          upperQuartile,
          windows,
          perWindow,
          operations);
    }
  }

  /** Measures {@code second}'s time over {@code first}'s, telling {@code listener} each pair. */
  public static Ratio measure(
      Window first,
      Window second,
      int warmUpPairs,
      int windows,
      int perWindow,
      PairListener listener)
      throws Exception {
    if (windows < 4 || perWindow < 1) {
      throw new IllegalArgumentException(
          "in turn needs at least 4 windows of at least 1 operation");
    }
    for (int i = 0; i < warmUpPairs; i++) {
      first.run(perWindow);
      second.run(perWindow);
    }
    double[] ratios = new double[windows];
    for (int w = 0; w < windows; w++) {
      long firstNanos;
      long secondNanos;
      if (w % 2 == 0) {
        firstNanos = first.run(perWindow);
        secondNanos = second.run(perWindow);
      } else {
        secondNanos = second.run(perWindow);
        firstNanos = first.run(perWindow);
      }
      ratios[w] = (double) secondNanos / firstNanos;
      listener.measured(
          firstNanos / (double) perWindow, secondNanos / (double) perWindow, ratios[w]);
    }
    Arrays.sort(ratios);
    return new Ratio(
        quantile(ratios, 0.5), quantile(ratios, 0.25), quantile(ratios, 0.75), windows, perWindow);
  }

  /**
   * The {@code p} quantile of {@code sorted}, interpolated between its neighbours (so the median of
   * an even count is the mean of the middle two, not the upper one).
   */
  static double quantile(double[] sorted, double p) {
    double at = p * (sorted.length - 1);
    int below = (int) Math.floor(at);
    int above = Math.min(below + 1, sorted.length - 1);
    return sorted[below] + (at - below) * (sorted[above] - sorted[below]);
  }
}
