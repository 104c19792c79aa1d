package com.plugsky.crypto.cli.tls;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "tls",
    mixinStandardHelpOptions = true,
    description = "TLS 1.3 tools.",
    subcommands = {TlsServeCommand.class})
public final class TlsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a tls command: serve");
  }
}
