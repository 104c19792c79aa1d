package com.plugsky.crypto.cli.bench;

import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport;
import com.plugsky.crypto.cli.bench.report.Comparison;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Compares two JMH JSON results of the same benchmarks (before and after a change, or two"
          + " machines) and flags each benchmark whose throughput fell beyond the error bars: the"
          + " interval after (score ± JMH's 99.9%% error) lies wholly below the interval before."
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  plugsky-crypto bench compare main.json branch.json",
      "  plugsky-crypto bench compare before.json after.json > comparison.md || echo regressed",
      "",
      "Exit codes: 0 no regression, 1 at least one regression, 2 usage."
    })
final class BenchCompareCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "BEFORE.json", description = "The reference result.")
  Path before;

  @Parameters(index = "1", paramLabel = "AFTER.json", description = "The result to judge.")
  Path after;

  @Override
  public Integer call() throws IOException {
    Comparison comparison =
        Comparison.of(
            BenchmarkReport.load(before), before.toString(), BenchmarkReport.load(after), after.toString());
    if (comparison.compared() == 0) {
      throw new UserError(before + " and " + after + " share no benchmark (same names and parameters)");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(comparison.markdown());
    out.flush();
    if (comparison.regressions() > 0) {
      spec.commandLine().getErr().println("bench compare: " + comparison.regressions() + " regression(s)");
      spec.commandLine().getErr().flush();
      return ExitCodes.FAILURE;
    }
    return ExitCodes.OK;
  }
}
