package com.plugsky.crypto.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = "Prints a bash (and zsh, through bashcompinit) completion script.",
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  source <(plugsky-crypto completion)",
      "  plugsky-crypto completion > /etc/bash_completion.d/plugsky-crypto",
      "",
      ExitCodes.FOOTER
    })
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getOut()
        .print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}
