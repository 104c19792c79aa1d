package com.plugsky.crypto.cli.message;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.DecryptingInputStream;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.envelope.EnvelopeHeader;
import com.plugsky.crypto.keyref.KeyRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "decrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Decrypts an envelope message from a file or standard input, streaming frame by frame.",
      "Without --key, the message's local: keys are tried; other schemes (pkcs11:, aws-kms:, ...)"
          + " must be named with --key, so that a crafted message cannot make the command load a"
          + " library or call an endpoint it names.",
      "Written to a file, the plaintext appears only once the whole message has authenticated;"
          + " written to standard output, frames are released as each one authenticates, so"
          + " treat the output as valid only when the exit code is 0."
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  plugsky-crypto decrypt -o orders.csv orders.pse",
      "  plugsky-crypto decrypt --context tenant=acme orders.pse | wc -c",
      "  plugsky-crypto decrypt --key local:us --region us-east-1 -o backup.tar backup.pse",
      "",
      "Exit codes: 0 ok, 1 crypto failure (damaged or tampered message, wrong key or context),"
          + " 2 usage, 3 unavailable backend."
    })
public final class DecryptCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "The message; standard input when absent or -.")
  Path input;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Where to write the plaintext; standard output when absent.")
  Path output;

  @Option(names = "--force", description = "Replace the output file if it exists.")
  boolean force;

  @Option(
      names = {"-k", "--key"},
      paramLabel = "KEYREF",
      converter = Keys.KeyRefConverter.class,
      description =
          "A key-encryption key that may open the message; repeat for several, tried in order"
              + " (--region first). Default: the message's local: keys.")
  List<KeyRef> keys = new ArrayList<>();

  @Option(
      names = {"-c", "--context"},
      paramLabel = "KEY=VALUE",
      converter = Keys.PairConverter.class,
      description =
          "A pair the message's encryption context must hold; repeat for several. The message"
              + " is refused (exit 1) when one is missing or differs.")
  List<Map.Entry<String, String>> context = new ArrayList<>();

  @Option(
      names = "--region",
      paramLabel = "REGION",
      description = "Try KEKs in this region (e.g. aws-kms:...?region=eu-west-1) first.")
  String region;

  @Override
  public Integer call() throws IOException {
    Keys.requireDistinct("--key", keys);
    EncryptionContext required = Keys.context(context);
    try (Input in = Input.open(input, "decrypt");
        Output out = output == null ? Output.stdout(false) : Output.file(output, force)) {
      in.mark(Input.HEADER_MARK_LIMIT);
      EnvelopeHeader header = Envelope.inspect(in);
      in.reset();
      EncryptionContext expected = Keys.expectedContext(header, required);
      List<KeyRef> keks = keys.isEmpty() ? Keys.localKeksOf(header) : keys;
      Envelope envelope = Keys.envelope(keks, region, List.of()).build();
      try (DecryptingInputStream plaintext = envelope.decryptingStream(in, expected)) {
        plaintext.transferTo(out.stream());
        if (in.read() != -1) {
          throw new MalformedCiphertextException("the input has bytes after the message's final frame");
        }
      }
      out.commit();
    }
    return ExitCodes.OK;
  }
}
