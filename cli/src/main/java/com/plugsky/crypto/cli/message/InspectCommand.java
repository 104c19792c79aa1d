package com.plugsky.crypto.cli.message;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.plugsky.crypto.cli.ExitCodes;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.envelope.EnvelopeHeader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a message's header without any key: message id, format, frame size, encryption"
          + " context and the KeyRefs its data key is wrapped under.",
      "Nothing shown is secret, and nothing shown is authenticated until the message is decrypted."
    },
    footerHeading = "%n",
    footer = {
      "Examples:",
      "  plugsky-crypto inspect orders.pse",
      "  plugsky-crypto inspect --json orders.pse | jq -r '.wrappedKeys[].keyRef'",
      "",
      "Exit codes: 0 ok, 1 not an envelope message (or damaged header), 2 usage."
    })
public final class InspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "FILE",
      description = "The message; standard input when absent or -.")
  Path input;

  @Option(names = "--json", description = "One JSON object instead of text.")
  boolean json;

  @Override
  public Integer call() throws IOException {
    EnvelopeHeader header;
    try (Input in = Input.open(input, "inspect")) {
      header = Envelope.inspect(in);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(asMap(header)));
    } else {
      out.print(text(header));
    }
    out.flush();
    return ExitCodes.OK;
  }

  static Map<String, Object> asMap(EnvelopeHeader header) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("version", header.version());
    map.put("suite", header.suite());
    map.put("messageId", header.messageId());
    map.put("frameSize", header.frameSize());
    map.put("headerLength", header.headerLength());
    map.put("context", header.context().asMap());
    List<Map<String, Object>> wrapped =
        header.wrappedKeys().stream()
            .map(
                w -> {
                  Map<String, Object> entry = new LinkedHashMap<>();
                  entry.put("keyRef", w.keyRef());
                  entry.put("length", w.length());
                  return entry;
                })
            .toList();
    map.put("wrappedKeys", wrapped);
    return map;
  }

  static String text(EnvelopeHeader header) {
    StringBuilder out = new StringBuilder();
    out.append("message id:    ").append(header.messageId()).append('\n');
    out.append("format:        version ").append(header.version()).append(", suite ").append(header.suite());
    if (header.suite() == 1 || header.suite() == 2) {
      out.append(" (AES-256-GCM frames, HKDF-SHA256, HMAC-SHA256 key commitment)");
    }
    out.append('\n');
    out.append("frame size:    ").append(header.frameSize()).append(" bytes\n");
    out.append("header length: ").append(header.headerLength()).append(" bytes\n");
    out.append("context:       ")
        .append(
            header.context().asMap().isEmpty()
                ? "(empty)"
                : header.context().asMap().entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ")))
        .append('\n');
    out.append("wrapped keys:  ").append(header.wrappedKeys().size()).append('\n');
    for (EnvelopeHeader.WrappedKeyInfo wrapped : header.wrappedKeys()) {
      out.append("  ").append(wrapped.keyRef()).append(" (").append(wrapped.length()).append(" bytes)\n");
    }
    return out.toString();
  }
}
