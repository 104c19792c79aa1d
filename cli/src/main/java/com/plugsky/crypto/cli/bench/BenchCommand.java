package com.plugsky.crypto.cli.bench;

import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.cli.bench.report.BenchmarkReport;
import com.plugsky.crypto.cli.bench.report.OpensslSpeed;
import com.plugsky.crypto.cli.bench.report.SvgChart;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;
import java.util.Set;
import java.util.concurrent.Callable;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    subcommands = {BenchReportCommand.class, BenchCompareCommand.class},
    description = {
      "Runs benchmark families of the jmh module with JMH and writes, per family, JMH's JSON, a"
          + " markdown report (MB/s, ratios to the best peer and to the JDK) and an SVG chart;"
          + " JMH's own log goes beside them. Forks run on this JVM with the command's classpath.",
      "",
      "Families:",
      "  aes-gcm     AES-256-GCM encrypt and decrypt, 64 B to 1 MiB, byte[] and direct buffers:"
          + " our engines and the peers (SunJCE, ACCP, Conscrypt, Tink, BC-FIPS)",
      "  cold-start  the first 200 encryptions of 1 MiB in a fresh JVM, per engine (single"
          + " shot, its own forks; no profile)",
      "  envelope    one envelope message per operation with a local KEK, data-key cache off and"
          + " on, against the raw Aead, Tink's KmsEnvelopeAead and the AWS Encryption SDK; a 1 GiB"
          + " stream against raw bulk AES-GCM and the SDK's streams",
      "  kms         envelope encrypt of 1 KiB through AWS KMS on a moto_server the trial starts,"
          + " data-key cache off and on",
      "  pkcs11      PKCS#11 operations on a SoftHSM2 token per backend (ffm, sunpkcs11, iaik), 1"
          + " and 2 threads, then the same calls from C (jmh/pkcs11-floor.sh) as the floor",
      "  tls         TLS 1.3 handshakes and 16 KiB records, BoringSSL vs the JDK, our contexts vs"
          + " raw Netty, an HSM-held key vs a file key",
      "  all         every family, one result file each",
      "",
      "Profiles: full (default) " + BenchCommand.FULL + ", for numbers you publish; --quick "
          + BenchCommand.QUICK + ", for a look. A -f -wi -w -i -r option given after the families"
          + " replaces the profile's; any other JMH option passes through (-p size=1024,"
          + " -p engine=jdk,native, -prof gc, ...).",
      ""
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  plugsky-crypto bench --quick aes-gcm -p size=1024 -p buffer=array",
      "  plugsky-crypto bench aes-gcm -prof gc --openssl openssl.txt    # openssl.txt from jmh/openssl-speed.sh -o",
      "  plugsky-crypto bench --output-dir results envelope cold-start",
      "  plugsky-crypto bench report results/results-aes-gcm-20261127T120000Z.json",
      "  plugsky-crypto bench compare before.json after.json",
      "",
      "Exit codes: 0 ok, 1 a benchmark failed (the others still ran), 2 usage."
    })
public final class BenchCommand implements Callable<Integer> {
  static final String QUICK = "-f 1 -wi 3 -w 1s -i 3 -r 1s";
  static final String FULL = "-f 2 -wi 5 -w 2s -i 5 -r 2s";
  /** JMH options that set the profile, each followed by its value. */
  private static final Set<String> PROFILE_OPTIONS = Set.of("-f", "-wi", "-w", "-i", "-r");
  /** Where results go: the launcher chooses them. */
  private static final Set<String> RESULT_OPTIONS = Set.of("-rf", "-rff", "-o");

  @Spec CommandSpec spec;

  @Option(names = "--quick", description = "The quick profile: " + QUICK + ".")
  boolean quick;

  @Option(
      names = "--output-dir",
      paramLabel = "DIR",
      description = "Where results-FAMILY-TIMESTAMP.{json,md,log} and the charts go (default: .).")
  Path outputDirectory = Path.of(".");

  @Option(
      names = "--openssl",
      paramLabel = "FILE",
      description = "openssl speed output (jmh/openssl-speed.sh -o FILE) to compare AES-GCM with.")
  Path openssl;

  @Option(names = "--list", description = "List the benchmarks of the families (all when none is named).")
  boolean list;

  @Parameters(
      paramLabel = "FAMILY|JMH-OPTION",
      description = "One or more families, then any JMH options.")
  List<String> arguments = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    SequencedSet<BenchFamily> families = new LinkedHashSet<>();
    int index = 0;
    for (; index < arguments.size(); index++) {
      String argument = arguments.get(index);
      if (argument.equals("all")) {
        families.addAll(List.of(BenchFamily.values()));
      } else if (BenchFamily.named(argument).isPresent()) {
        families.add(BenchFamily.named(argument).get());
      } else {
        break;
      }
    }
    List<String> jmhOptions = arguments.subList(index, arguments.size());
    if (list) {
      return list(families.isEmpty() ? List.of(BenchFamily.values()) : List.copyOf(families));
    }
    if (families.isEmpty()) {
      throw new UserError(
          (arguments.isEmpty() ? "name a family" : "unknown family '" + arguments.getFirst() + "'")
              + "; families: "
              + String.join(", ", BenchFamily.names())
              + ", all");
    }
    for (String option : jmhOptions) {
      if (RESULT_OPTIONS.contains(option)) {
        throw new UserError(option + " is set by the command; results go to --output-dir");
      }
    }
    Files.createDirectories(outputDirectory);
    List<OpensslSpeed.Sample> opensslSamples =
        openssl == null ? List.of() : OpensslSpeed.parse(Files.readAllLines(openssl));
    int exit = ExitCodes.OK;
    String timestamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC));
    for (BenchFamily family : families) {
      exit = Math.max(exit, run(family, jmhOptions, timestamp, opensslSamples));
    }
    return exit;
  }

  /** The JMH command line for {@code family}: its pattern, the profile, the caller's options. */
  List<String> jmhArguments(BenchFamily family, List<String> callerOptions, Path json) {
    List<String> args = new ArrayList<>();
    args.add(family.includePattern());
    if (family.profiled) {
      String[] profile = (quick ? QUICK : FULL).split(" ");
      for (int i = 0; i + 1 < profile.length; i += 2) {
        if (!callerOptions.contains(profile[i])) {
          args.add(profile[i]);
          args.add(profile[i + 1]);
        }
      }
    } else if (callerOptions.stream().anyMatch(PROFILE_OPTIONS::contains)) {
      throw new UserError(family.name + " measures single shots in its own forks; it takes no -f -wi -w -i -r");
    }
    args.addAll(callerOptions);
    args.addAll(List.of("-rf", "json", "-rff", json.toString()));
    return args;
  }

  private int run(BenchFamily family, List<String> callerOptions, String timestamp, List<OpensslSpeed.Sample> opensslSamples)
      throws IOException {
    String base = "results-" + family.name + "-" + timestamp;
    Path json = outputDirectory.resolve(base + ".json");
    Path log = outputDirectory.resolve(base + ".log");
    CommandLineOptions options = parse(jmhArguments(family, callerOptions, json));
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    err.println("bench: " + family.name + " (JMH log: " + log + ")");
    JmhProgress progress;
    try (PrintStream logStream = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8)) {
      progress =
          new JmhProgress(
              OutputFormatFactory.createFormatInstance(logStream, options.verbosity().orElse(VerboseMode.NORMAL)),
              err,
              family.name);
      try {
        new Runner(options, progress).run();
      } catch (RunnerException e) {
        throw new UserError("JMH could not run " + family.name + ": " + e.getMessage() + " (see " + log + ")");
      } finally {
        progress.close();
      }
    }
    int exit = ExitCodes.OK;
    if (progress.finished() < progress.started()) {
      err.println(
          "bench: "
              + (progress.started() - progress.finished())
              + " benchmark(s) of "
              + family.name
              + " failed; the reasons are in "
              + log);
      exit = ExitCodes.FAILURE;
    }
    if (!Files.isRegularFile(json) || Files.size(json) == 0) {
      err.println("bench: " + family.name + " produced no results; see " + log);
      return ExitCodes.FAILURE;
    }
    PrintWriter out = spec.commandLine().getOut();
    for (Path written : writeReport(json, opensslSamples)) {
      out.println(written);
    }
    out.flush();
    return exit;
  }

  /** Writes RESULT.md and RESULT-FAMILY.svg beside {@code json}; returns every file written. */
  static List<Path> writeReport(Path json, List<OpensslSpeed.Sample> openssl) throws IOException {
    BenchmarkReport report = BenchmarkReport.load(json);
    String base = json.getFileName().toString().replaceFirst("\\.json$", "");
    List<Path> written = new ArrayList<>(List.of(json));
    Path markdown = json.resolveSibling(base + ".md");
    Files.writeString(markdown, report.markdown(openssl));
    written.add(markdown);
    for (String family : report.families()) {
      Path svg = json.resolveSibling(base + "-" + family + ".svg");
      Files.writeString(svg, SvgChart.render(report, family, openssl));
      written.add(svg);
    }
    return written;
  }

  private int list(List<BenchFamily> families) {
    PrintWriter out = spec.commandLine().getOut();
    for (BenchFamily family : families) {
      out.println("== " + family.name + ": " + family.description);
      out.flush();
      try {
        new Runner(parse(List.of(family.includePattern()))).list();
      } catch (RuntimeException e) {
        throw new UserError("cannot list " + family.name + ": " + e.getMessage());
      }
    }
    return ExitCodes.OK;
  }

  private static CommandLineOptions parse(List<String> args) {
    try {
      return new CommandLineOptions(args.toArray(String[]::new));
    } catch (CommandLineOptionException e) {
      throw new UserError("JMH refused the options: " + e.getMessage());
    }
  }
}
