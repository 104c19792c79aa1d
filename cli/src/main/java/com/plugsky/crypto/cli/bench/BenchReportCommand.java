package com.plugsky.crypto.cli.bench;

import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.cli.bench.report.OpensslSpeed;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the report of a JMH JSON result again: RESULT.md (printed too) and an SVG chart per"
          + " family, RESULT-FAMILY.svg, beside the JSON."
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  plugsky-crypto bench report results-aes-gcm-20261127T120000Z.json",
      "  jmh/openssl-speed.sh -o openssl.txt && plugsky-crypto bench report --openssl openssl.txt results.json",
      "",
      "Exit codes: 0 ok, 2 usage (a missing or unreadable file)."
    })
final class BenchReportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "RESULT.json", description = "JMH's JSON output (-rf json).")
  Path results;

  @Option(
      names = "--openssl",
      paramLabel = "FILE",
      description = "openssl speed output (jmh/openssl-speed.sh -o FILE) to compare AES-GCM with.")
  Path openssl;

  @Override
  public Integer call() throws IOException {
    List<OpensslSpeed.Sample> samples =
        openssl == null ? List.of() : OpensslSpeed.parse(Files.readAllLines(openssl));
    List<Path> written = BenchCommand.writeReport(results, samples);
    PrintWriter out = spec.commandLine().getOut();
    out.print(Files.readString(written.get(1)));
    out.flush();
    PrintWriter err = spec.commandLine().getErr();
    written.subList(1, written.size()).forEach(path -> err.println("bench: wrote " + path));
    err.flush();
    return ExitCodes.OK;
  }
}
