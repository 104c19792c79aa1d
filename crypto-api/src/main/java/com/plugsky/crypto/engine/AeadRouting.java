package com.plugsky.crypto.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which engine serves an AES-256-GCM call of a given size and buffer kind, from the measured
 * crossovers in docs/benchmarks.md (re-measure with {@code ./bench aes-gcm}).
 *
 * <p>Each rule lists engines best first; the first one available here wins, so a service that
 * lacks ACCP or Conscrypt still gets the best of what it has. All engines write the same {@code
 * nonce || ciphertext || tag} layout, so a message sealed by one opens on any other.
 */
public final class AeadRouting {
  /** Message sizes from which the large-message rules apply. */
  static final int ARRAY_CROSSOVER = 512;
  static final int DIRECT_CROSSOVER = 8 * 1024;

  private static final List<String> SMALL_ARRAYS = List.of("native", "jdk", "accp");
  private static final List<String> LARGE_ARRAYS = List.of("accp", "jdk", "native");
  private static final List<String> SMALL_DIRECT = List.of("native", "accp", "jdk");
  private static final List<String> LARGE_DIRECT = List.of("conscrypt", "accp", "native", "jdk");

  private final AeadEngine smallArrays;
  private final AeadEngine largeArrays;
  private final AeadEngine smallDirect;
  private final AeadEngine largeDirect;

  private AeadRouting(List<AeadEngine> available) {
    this.smallArrays = first(SMALL_ARRAYS, available);
    this.largeArrays = first(LARGE_ARRAYS, available);
    this.smallDirect = first(SMALL_DIRECT, available);
    this.largeDirect = first(LARGE_DIRECT, available);
  }

  /** The routing over the engines that loaded in this JVM. */
  public static AeadRouting measured() {
    return Holder.INSTANCE;
  }

  static AeadRouting over(List<AeadEngine> available) {
    return new AeadRouting(available);
  }

  /** The engine for a message of {@code size} plaintext bytes in a heap array or a direct buffer. */
  public AeadEngine engineFor(int size, boolean direct) {
    if (direct) {
      return size < DIRECT_CROSSOVER ? smallDirect : largeDirect;
    }
    return size < ARRAY_CROSSOVER ? smallArrays : largeArrays;
  }

  /** The distinct engines this routing can pick. */
  List<AeadEngine> engines() {
    List<AeadEngine> distinct = new ArrayList<>();
    for (AeadEngine engine : List.of(smallArrays, largeArrays, smallDirect, largeDirect)) {
      if (!distinct.contains(engine)) {
        distinct.add(engine);
      }
    }
    return distinct;
  }

  /** One line per rule, for selftest output and logs. */
  public List<String> describe() {
    return List.of(
        "byte[] under " + ARRAY_CROSSOVER + " B: " + smallArrays.name(),
        "byte[] from " + ARRAY_CROSSOVER + " B: " + largeArrays.name(),
        "direct buffers under " + DIRECT_CROSSOVER / 1024 + " KiB: " + smallDirect.name(),
        "direct buffers from " + DIRECT_CROSSOVER / 1024 + " KiB: " + largeDirect.name());
  }

  private static AeadEngine first(List<String> preference, List<AeadEngine> available) {
    for (String name : preference) {
      Optional<AeadEngine> engine = available.stream().filter(e -> e.name().equals(name)).findFirst();
      if (engine.isPresent()) {
        return engine.get();
      }
    }
    return available.getFirst();
  }

  private static final class Holder {
    static final AeadRouting INSTANCE = new AeadRouting(Engines.available());
  }
}
