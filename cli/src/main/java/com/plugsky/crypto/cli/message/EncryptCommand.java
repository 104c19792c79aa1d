package com.plugsky.crypto.cli.message;

import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "encrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Encrypts a file or standard input into one envelope message (docs/FORMAT.md): a fresh"
          + " data key wrapped under every --key, AES-256-GCM frames of 64 KiB, streamed in"
          + " bounded memory whatever the size.",
      "Without --key the local key " + Keys.DEFAULT_KEK + " is used, created on first use in"
          + " $PLUGSKY_HOME/keys (default ~/.plugsky-crypto/keys, mode 0600)."
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  echo hi | plugsky-crypto encrypt | plugsky-crypto decrypt",
      "  plugsky-crypto encrypt -o orders.pse --key local:orders --context tenant=acme orders.csv",
      "  plugsky-crypto encrypt -o backup.pse --key local:eu --key local:us backup.tar",
      "  PLUGSKY_PKCS11_PIN=... plugsky-crypto encrypt -o a.pse \\",
      "      --key 'pkcs11:token=hsm1;object=kek;type=secret-key?module-path=/usr/lib/softhsm/libsofthsm2.so' a.txt",
      "",
      "The output file appears only when encryption succeeded (written beside it, then moved in place).",
      "Exit codes: 0 ok, 1 crypto failure, 2 usage, 3 unavailable backend (e.g. HSM unreachable)."
    })
public final class EncryptCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "The plaintext; standard input when absent or -.")
  Path input;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Where to write the message; standard output (not a terminal) when absent.")
  Path output;

  @Option(names = "--force", description = "Replace the output file if it exists.")
  boolean force;

  @Option(
      names = {"-k", "--key"},
      paramLabel = "KEYREF",
      converter = Keys.KeyRefConverter.class,
      description = {
        "A key-encryption key to wrap the data key under; repeat for several (e.g. one per region"
            + " or HSM); any may open the message. Default: " + Keys.DEFAULT_KEK + ".",
        "Schemes: local:NAME, pkcs11:..., and aws-kms:, azure-kv:, vault-transit:, gcp-kms: when"
            + " their module is on the classpath. PINs come from pin-source=env:|file: or"
            + " $PLUGSKY_PKCS11_PIN, never from the command line."
      })
  List<KeyRef> keys = new ArrayList<>();

  @Option(
      names = {"-c", "--context"},
      paramLabel = "KEY=VALUE",
      converter = Keys.PairConverter.class,
      description =
          "An encryption-context pair (not secret; stored in the header and authenticated);"
              + " repeat for several, in order.")
  List<Map.Entry<String, String>> context = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    Keys.requireDistinct("--key", keys);
    EncryptionContext encryptionContext = Keys.context(context);
    List<KeyRef> keks = keys.isEmpty() ? List.of(KeyRef.parse(Keys.DEFAULT_KEK)) : keys;
    Envelope envelope = Keys.envelope(keks, null, List.of()).build();
    try (Input in = Input.open(input, "encrypt");
        Output out = output == null ? Output.stdout(true) : Output.file(output, force)) {
      try (OutputStream encrypting = envelope.encryptingStream(out.stream(), encryptionContext)) {
        in.transferTo(encrypting);
      }
      out.commit();
    }
    return ExitCodes.OK;
  }
}
