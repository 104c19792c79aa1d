package com.plugsky.crypto.cli.bench;

import com.plugsky.crypto.cli.terminal.Progress;
import com.plugsky.crypto.cli.terminal.Terminal;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * JMH's own output goes to a log file; the user sees a progress line per benchmark (redrawn in
 * place on a terminal, one line per benchmark elsewhere) and each result as it finishes.
 */
final class JmhProgress implements OutputFormat {
  private final OutputFormat log;
  private final PrintStream err;
  private final Progress progress;
  private final boolean terminal = Terminal.isStderr();
  private int started;
  private int finished;
  private String current = "";

  JmhProgress(OutputFormat log, PrintStream err, String family) {
    this.log = log;
    this.err = err;
    this.progress = Progress.start("bench " + family);
  }

  int started() {
    return started;
  }

  int finished() {
    return finished;
  }

  @Override
  public void startBenchmark(BenchmarkParams params) {
    log.startBenchmark(params);
    started++;
    current = describe(params);
    if (!terminal) {
      err.println("bench: [" + started + "] " + current);
    }
    progress.status("[" + started + "] " + current);
  }

  @Override
  public void iteration(BenchmarkParams params, IterationParams iteration, int index) {
    log.iteration(params, iteration, index);
    progress.status(
        "["
            + started
            + "] "
            + current
            + ": "
            + iteration.getType().toString().toLowerCase(Locale.ROOT)
            + " "
            + index
            + "/"
            + iteration.getCount());
  }

  @Override
  public void iterationResult(BenchmarkParams params, IterationParams iteration, int index, IterationResult result) {
    log.iterationResult(params, iteration, index, result);
  }

  @Override
  public void endBenchmark(BenchmarkResult result) {
    log.endBenchmark(result);
    if (result == null) {
      return;
    }
    finished++;
    Result<?> primary = result.getPrimaryResult();
    progress.close();
    String error =
        Double.isNaN(primary.getScoreError())
            ? ""
            : String.format(Locale.ROOT, " ± %.3f", primary.getScoreError());
    err.println(
        String.format(
            Locale.ROOT,
            "bench: %s: %.3f%s %s",
            describe(result.getParams()),
            primary.getScore(),
            error,
            primary.getScoreUnit()));
  }

  @Override
  public void startRun() {
    log.startRun();
  }

  @Override
  public void endRun(Collection<RunResult> results) {
    log.endRun(results);
    progress.close();
  }

  @Override
  public void print(String text) {
    log.print(text);
  }

  @Override
  public void println(String text) {
    log.println(text);
  }

  @Override
  public void flush() {
    log.flush();
  }

  @Override
  public void close() {
    progress.close();
    log.close();
  }

  @Override
  public void verbosePrintln(String text) {
    log.verbosePrintln(text);
  }

  @Override
  public void write(int b) {
    log.write(b);
  }

  @Override
  public void write(byte[] b) throws IOException {
    log.write(b);
  }

  /** {@code aesgcm.EngineAesGcmBenchmark.encrypt buffer=array engine=jdk size=64}. */
  private static String describe(BenchmarkParams params) {
    String benchmark = params.getBenchmark();
    int methodDot = benchmark.lastIndexOf('.');
    int classDot = benchmark.lastIndexOf('.', methodDot - 1);
    int packageDot = benchmark.lastIndexOf('.', classDot - 1);
    String name = benchmark.substring(packageDot + 1);
    String values =
        params.getParamsKeys().stream()
            .map(key -> key + "=" + params.getParam(key))
            .collect(Collectors.joining(" "));
    return values.isEmpty() ? name : name + " " + values;
  }
}
