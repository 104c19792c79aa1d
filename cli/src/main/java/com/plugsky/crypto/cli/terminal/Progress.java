package com.plugsky.crypto.cli.terminal;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress line on standard error, redrawn in place at most five times a second, and only when
 * standard error is a terminal; elsewhere every method does nothing.
 */
public final class Progress implements AutoCloseable {
  private static final long REDRAW_NANOS = 200_000_000L;
  private static final int BAR_WIDTH = 30;

  private final PrintStream err;
  private final boolean enabled;
  private final String label;
  private final long startNanos = System.nanoTime();
  private long lastDraw;
  private int lastWidth;

  private Progress(PrintStream err, boolean enabled, String label) {
    this.err = err;
    this.enabled = enabled;
    this.label = label;
  }

  public static Progress start(String label) {
    return new Progress(System.err, Terminal.isStderr(), label);
  }

  /** Bytes done of {@code total} (negative when unknown, e.g. standard input). */
  public void bytes(long done, long total) {
    if (!due()) {
      return;
    }
    double seconds = Math.max(1e-3, (System.nanoTime() - startNanos) / 1e9);
    String rate = String.format(Locale.ROOT, "%.1f MB/s", done / 1e6 / seconds);
    if (total > 0) {
      draw(bar((double) done / total) + " " + mebibytes(done) + " / " + mebibytes(total) + ", " + rate);
    } else {
      draw(mebibytes(done) + ", " + rate);
    }
  }

  /** A free-form status, e.g. the benchmark running now. */
  public void status(String text) {
    if (due()) {
      draw(text);
    }
  }

  /** Clears the line, so that what follows starts on a clean line. */
  @Override
  public void close() {
    if (enabled && lastWidth > 0) {
      err.print("\r" + " ".repeat(lastWidth) + "\r");
      err.flush();
    }
  }

  private boolean due() {
    if (!enabled) {
      return false;
    }
    long now = System.nanoTime();
    if (lastDraw != 0 && now - lastDraw < REDRAW_NANOS) {
      return false;
    }
    lastDraw = now;
    return true;
  }

  private void draw(String text) {
    long elapsed = (System.nanoTime() - startNanos) / 1_000_000_000L;
    String line = label + " " + text + String.format(Locale.ROOT, " [%d:%02d]", elapsed / 60, elapsed % 60);
    int padding = Math.max(0, lastWidth - line.length());
    err.print("\r" + line + " ".repeat(padding));
    err.flush();
    lastWidth = line.length();
  }

  private static String bar(double fraction) {
    int filled = (int) Math.round(Math.min(1, fraction) * BAR_WIDTH);
    return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] "
        + String.format(Locale.ROOT, "%3.0f%%", fraction * 100);
  }

  private static String mebibytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
