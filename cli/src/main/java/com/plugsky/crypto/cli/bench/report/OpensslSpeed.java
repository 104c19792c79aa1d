package com.plugsky.crypto.cli.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the output of {@code openssl speed -evp CIPHER [-bytes N]}, in its machine-readable form
 * ({@code -mr}: {@code +H:64:1024} size lines and {@code +F:n:NAME:bytesPerSecond...} result lines,
 * as jmh/openssl-speed.sh saves it) or its human form ({@code type  64 bytes ...} then {@code NAME
 * 123.45k ...}, in 1000s of bytes per second). Several runs may be concatenated.
 */
public final class OpensslSpeed {

  /** One measurement: {@code algorithm} processed {@code bytesPerSecond} in blocks of {@code blockSize}. */
  public record Sample(String algorithm, int blockSize, double bytesPerSecond) {
    public double opsPerSecond() {
      return bytesPerSecond / blockSize;
    }
  }

  private OpensslSpeed() {}

  public static List<Sample> parse(List<String> lines) {
    List<Sample> samples = new ArrayList<>();
    List<Integer> sizes = List.of();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.startsWith("+H:")) {
        sizes = machineSizes(line);
      } else if (line.startsWith("+F:")) {
        String[] fields = line.split(":");
        if (fields.length < 4) {
          throw new IllegalArgumentException("openssl speed line has too few fields: " + line);
        }
        for (int i = 3; i < fields.length && i - 3 < sizes.size(); i++) {
          samples.add(new Sample(fields[2], sizes.get(i - 3), Double.parseDouble(fields[i])));
        }
      } else if (line.startsWith("type ")) {
        sizes = humanSizes(line);
      } else if (!sizes.isEmpty() && !line.isEmpty() && line.endsWith("k")) {
        String[] tokens = line.split("\\s+");
        int values = tokens.length - 1;
        if (values >= 1 && values <= sizes.size()) {
          for (int i = 0; i < values; i++) {
            String value = tokens[1 + i];
            double thousands = Double.parseDouble(value.substring(0, value.length() - 1));
            samples.add(new Sample(tokens[0], sizes.get(i), thousands * 1000));
          }
        }
      }
    }
    return samples;
  }

  private static List<Integer> machineSizes(String line) {
    List<Integer> sizes = new ArrayList<>();
    for (String field : line.substring(3).split(":")) {
      sizes.add(Integer.parseInt(field.strip()));
    }
    return sizes;
  }

  /** {@code type             64 bytes   1024 bytes} -> [64, 1024]. */
  private static List<Integer> humanSizes(String line) {
    List<Integer> sizes = new ArrayList<>();
    String[] tokens = line.split("\\s+");
    for (int i = 1; i + 1 < tokens.length; i++) {
      if (tokens[i + 1].equals("bytes")) {
        sizes.add(Integer.parseInt(tokens[i]));
      }
    }
    return sizes;
  }
}
