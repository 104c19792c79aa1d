package com.plugsky.crypto.bench.pkcs11;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU microseconds per operation spent on JMH's worker threads (the module's work included, since a
 * PKCS#11 call runs on the calling thread), as {@code cpu.us/op}: on a shared machine it moves far
 * less than throughput does, and it is what jmh/pkcs11-floor.sh prints for the C loop. Use with
 * {@code -prof com.plugsky.crypto.bench.pkcs11.WorkerCpuProfiler}.
 */
public final class WorkerCpuProfiler implements InternalProfiler {
  private static final String WORKER = "-jmh-worker-";
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private Map<Long, Long> before = Map.of();

  @Override
  public String getDescription() {
    return "CPU time of the benchmark threads per operation";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    before = workerCpuTimes();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long operations = result.getMetadata().getAllOps();
    if (operations == 0) {
      return List.of();
    }
    long nanos = 0;
    for (Map.Entry<Long, Long> worker : workerCpuTimes().entrySet()) {
      // A worker started during the iteration has spent all its CPU time in it.
      nanos += worker.getValue() - before.getOrDefault(worker.getKey(), 0L);
    }
    return List.of(
        new ScalarResult("cpu.us/op", nanos / 1e3 / operations, "us/op", AggregationPolicy.AVG));
  }

  private Map<Long, Long> workerCpuTimes() {
    Map<Long, Long> times = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().contains(WORKER)) {
        long cpu = threads.getThreadCpuTime(info.getThreadId());
        if (cpu >= 0) {
          times.put(info.getThreadId(), cpu);
        }
      }
    }
    return times;
  }
}
