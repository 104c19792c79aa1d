package com.plugsky.crypto.cli.message;

import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.envelope.EnvelopeHeader;
import com.plugsky.crypto.keyref.KeyRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "rewrap",
    mixinStandardHelpOptions = true,
    description = {
      "Adds, replaces or removes the wrapped data keys of a message without re-encrypting it:"
          + " key rotation, a new region, BYOK migration. The body is copied unchanged; kept"
          + " wrappings are copied as they are, new ones are made now.",
      "The message is opened (its header authenticated) with --key, by default its local: keys."
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  plugsky-crypto rewrap --in-place --add local:orders-us orders.pse",
      "  plugsky-crypto rewrap --in-place --add local:orders-2027 --remove local:orders-2026 orders.pse",
      "  plugsky-crypto rewrap -o migrated.pse --key local:orders --set 'pkcs11:token=hsm1;object=kek;type=secret-key' orders.pse",
      "",
      "Exit codes: 0 ok, 1 crypto failure, 2 usage, 3 unavailable backend."
    })
public final class RewrapCommand implements Callable<Integer> {
  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "The message; standard input when absent or -.")
  Path input;

  @ArgGroup(exclusive = true)
  Destination destination = new Destination();

  static final class Destination {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Write the rewrapped message here; standard output when neither this nor --in-place is given.")
    Path output;

    @Option(names = "--in-place", description = "Replace FILE atomically (it keeps its permissions).")
    boolean inPlace;
  }

  @Option(names = "--force", description = "Replace the output file if it exists.")
  boolean force;

  @Option(
      names = {"-k", "--key"},
      paramLabel = "KEYREF",
      converter = Keys.KeyRefConverter.class,
      description = "A KEK that opens the message; repeat for several. Default: the message's local: keys.")
  List<KeyRef> keys = new ArrayList<>();

  @Option(
      names = "--add",
      paramLabel = "KEYREF",
      converter = Keys.KeyRefConverter.class,
      description = "Wrap the data key under this KEK too; repeatable.")
  List<KeyRef> add = new ArrayList<>();

  @Option(
      names = "--remove",
      paramLabel = "KEYREF",
      converter = Keys.KeyRefConverter.class,
      description =
          "Drop this KEK's wrapping; repeatable. Matched by the key it names, so a pkcs11: KeyRef"
              + " with another module path still finds it.")
  List<KeyRef> remove = new ArrayList<>();

  @Option(
      names = "--set",
      paramLabel = "KEYREF",
      converter = Keys.KeyRefConverter.class,
      description = "Replace every wrapping with these KEKs, in this order; repeatable; not with --add or --remove.")
  List<KeyRef> set = new ArrayList<>();

  @Option(
      names = {"-c", "--context"},
      paramLabel = "KEY=VALUE",
      converter = Keys.PairConverter.class,
      description = "A pair the message's encryption context must hold; repeatable.")
  List<Map.Entry<String, String>> context = new ArrayList<>();

  @Option(names = "--region", paramLabel = "REGION", description = "Try KEKs in this region first.")
  String region;

  @Override
  public Integer call() throws IOException {
    if (!set.isEmpty() && !(add.isEmpty() && remove.isEmpty())) {
      throw new UserError("--set replaces every wrapping; use it without --add and --remove");
    }
    if (set.isEmpty() && add.isEmpty() && remove.isEmpty()) {
      throw new UserError("say what to change with --add, --remove or --set");
    }
    if (destination.inPlace && (input == null || input.toString().equals("-"))) {
      throw new UserError("--in-place needs a FILE");
    }
    Keys.requireDistinct("--key", keys);
    Keys.requireDistinct("--set", set);
    EncryptionContext required = Keys.context(context);
    try (Input in = Input.open(input, "rewrap");
        Output out = open()) {
      in.mark(Input.HEADER_MARK_LIMIT);
      EnvelopeHeader header = Envelope.inspect(in);
      in.reset();
      EncryptionContext expected = Keys.expectedContext(header, required);
      List<KeyRef> openers = keys.isEmpty() ? Keys.localKeksOf(header) : keys;
      List<KeyRef> after = wrappingsAfter(header);
      Envelope envelope = Keys.envelope(openers, region, after).build();
      envelope.rewrap(in, out.stream(), expected, after);
      out.commit();
    }
    return ExitCodes.OK;
  }

  private Output open() throws IOException {
    if (destination.inPlace) {
      return Output.file(input, true);
    }
    return destination.output == null ? Output.stdout(true) : Output.file(destination.output, force);
  }

  /**
   * The KEKs the rewrapped message's data key is wrapped under. {@code --remove} and {@code --add}
   * match wrappings by the key they name ({@link KeyRef#namesSameKey}), so a KeyRef that reaches
   * the same key another way (another PKCS#11 module path) still counts as that key.
   */
  List<KeyRef> wrappingsAfter(EnvelopeHeader header) {
    if (!set.isEmpty()) {
      return set;
    }
    SequencedMap<String, KeyRef> after = new LinkedHashMap<>();
    for (EnvelopeHeader.WrappedKeyInfo wrapped : header.wrappedKeys()) {
      after.put(wrapped.keyRef(), KeyRef.parse(wrapped.keyRef()));
    }
    for (KeyRef gone : remove) {
      if (!after.keySet().removeIf(gone::namesSameKey)) {
        throw new UserError("--remove " + gone + ": the message has no wrapping under it");
      }
    }
    for (KeyRef added : add) {
      if (after.keySet().stream().anyMatch(added::namesSameKey)) {
        throw new UserError("--add " + added + ": the message is already wrapped under it");
      }
      after.put(added.toString(), added);
    }
    if (after.isEmpty()) {
      throw new UserError("that would remove every wrapping and leave the message unreadable");
    }
    return List.copyOf(after.values());
  }
}
