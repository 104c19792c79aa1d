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
 *
 * <p>SunJCE runs GCM in the interpreter (about 0.1 GB/s) until the JIT has compiled its AVX-512
 * intrinsic. When a rule picks the JDK and another engine can stand in, a background thread warms
 * the JDK's GCM up on a throwaway key and those calls go to the stand-in meanwhile, so no caller
 * pays the cold start. {@code -Dplugsky.crypto.warmup=false} turns this off.
 */
public final class AeadRouting {
  /** Arrays below this size go to the small-array rule, from it to the medium-array rule. */
  static final int SMALL_ARRAY_LIMIT = 256;
  /** Arrays from this size go to the large-array rule. */
  static final int LARGE_ARRAY_FROM = 64 * 1024;
  /** Direct buffers below this size go to the small-direct rule, from it to the large-direct rule. */
  static final int DIRECT_CROSSOVER = 8 * 1024;

  private static final List<String> SMALL_ARRAYS = List.of("native", "jdk", "accp");
  private static final List<String> MEDIUM_ARRAYS = List.of("jdk", "accp", "native");
  private static final List<String> LARGE_ARRAYS = List.of("accp", "jdk", "native");
  private static final List<String> SMALL_DIRECT = List.of("native", "accp", "jdk");
  private static final List<String> LARGE_DIRECT = List.of("conscrypt", "accp", "native", "jdk");
  /** Stand-ins for the JDK while it warms up: OpenSSL 3.0 leads on short arrays, ACCP on long ones. */
  private static final List<String> SHORT_STAND_INS = List.of("native", "accp", "conscrypt", "bc-fips");
  private static final List<String> LONG_STAND_INS = List.of("accp", "native", "conscrypt", "bc-fips");
  /** Messages below this size take the short stand-in. */
  static final int STAND_IN_CROSSOVER = 8 * 1024;

  public static final String WARMUP_PROPERTY = "plugsky.crypto.warmup";

  private final AeadEngine smallArrays;
  private final AeadEngine mediumArrays;
  private final AeadEngine largeArrays;
  private final AeadEngine smallDirect;
  private final AeadEngine largeDirect;
  private final JdkWarmup warmup;
  private final AeadEngine shortStandIn;
  private final AeadEngine longStandIn;

  private AeadRouting(List<AeadEngine> available, boolean warmUp) {
    this.smallArrays = first(SMALL_ARRAYS, available);
    this.mediumArrays = first(MEDIUM_ARRAYS, available);
    this.largeArrays = first(LARGE_ARRAYS, available);
    this.smallDirect = first(SMALL_DIRECT, available);
    this.largeDirect = first(LARGE_DIRECT, available);
    Optional<AeadEngine> jdk = rules().stream().filter(AeadRouting::isJdk).findFirst();
    Optional<AeadEngine> shortStandIn = preferred(SHORT_STAND_INS, available);
    Optional<AeadEngine> longStandIn = preferred(LONG_STAND_INS, available);
    boolean warming = warmUp && jdk.isPresent() && shortStandIn.isPresent();
    this.warmup = warming ? JdkWarmup.start(jdk.get()) : null;
    this.shortStandIn = warming ? shortStandIn.get() : null;
    this.longStandIn = warming ? longStandIn.get() : null;
  }

  /** The routing over the engines that loaded in this JVM. */
  public static AeadRouting measured() {
    return Holder.INSTANCE;
  }

  static AeadRouting over(List<AeadEngine> available) {
    return new AeadRouting(available, false);
  }

  static AeadRouting warmingUp(List<AeadEngine> available) {
    return new AeadRouting(available, true);
  }

  /** The engine for a message of {@code size} plaintext bytes in a heap array or a direct buffer. */
  public AeadEngine engineFor(int size, boolean direct) {
    AeadEngine rule = ruleFor(size, direct);
    return isJdk(rule) && !jdkWarm() ? standInFor(size) : rule;
  }

  /** The engine the measured rule names, whether or not the JDK is warm yet. */
  AeadEngine ruleFor(int size, boolean direct) {
    if (direct) {
      return size < DIRECT_CROSSOVER ? smallDirect : largeDirect;
    } else if (size < SMALL_ARRAY_LIMIT) {
      return smallArrays;
    } else {
      return size < LARGE_ARRAY_FROM ? mediumArrays : largeArrays;
    }
  }

  /** Whether rules that name the JDK may use it: no warm-up runs, or it has finished. */
  boolean jdkWarm() {
    return warmup == null || warmup.isDone();
  }

  /** The engine serving the JDK's rules for this size until it is warm; null when no warm-up runs. */
  AeadEngine standInFor(int size) {
    return size < STAND_IN_CROSSOVER ? shortStandIn : longStandIn;
  }

  /** The distinct engines this routing can pick. */
  List<AeadEngine> engines() {
    List<AeadEngine> distinct = new ArrayList<>();
    List<AeadEngine> candidates = new ArrayList<>(rules());
    if (warmup != null) {
      candidates.add(shortStandIn);
      candidates.add(longStandIn);
    }
    for (AeadEngine engine : candidates) {
      if (!distinct.contains(engine)) {
        distinct.add(engine);
      }
    }
    return distinct;
  }

  /** One line per rule, for selftest output and logs. */
  public List<String> describe() {
    String warming = warmup == null || warmup.isDone() ? "" : " (" + standInNames() + " until the JDK's GCM is compiled)";
    return List.of(
        "byte[] under " + SMALL_ARRAY_LIMIT + " B: " + smallArrays.name() + (isJdk(smallArrays) ? warming : ""),
        "byte[] " + SMALL_ARRAY_LIMIT + " B to " + LARGE_ARRAY_FROM / 1024 + " KiB: " + mediumArrays.name()
            + (isJdk(mediumArrays) ? warming : ""),
        "byte[] from " + LARGE_ARRAY_FROM / 1024 + " KiB: " + largeArrays.name() + (isJdk(largeArrays) ? warming : ""),
        "direct buffers under " + DIRECT_CROSSOVER / 1024 + " KiB: " + smallDirect.name(),
        "direct buffers from " + DIRECT_CROSSOVER / 1024 + " KiB: " + largeDirect.name());
  }

  private String standInNames() {
    return shortStandIn == longStandIn
        ? shortStandIn.name()
        : shortStandIn.name() + " under " + STAND_IN_CROSSOVER / 1024 + " KiB, " + longStandIn.name() + " from it";
  }

  private List<AeadEngine> rules() {
    return List.of(smallArrays, mediumArrays, largeArrays, smallDirect, largeDirect);
  }

  static boolean isJdk(AeadEngine engine) {
    return engine.name().equals("jdk");
  }

  private static AeadEngine first(List<String> preference, List<AeadEngine> available) {
    return preferred(preference, available).orElse(available.getFirst());
  }

  private static Optional<AeadEngine> preferred(List<String> preference, List<AeadEngine> available) {
    return preference.stream()
        .flatMap(name -> available.stream().filter(engine -> engine.name().equals(name)))
        .findFirst();
  }

  private static final class Holder {
    static final AeadRouting INSTANCE =
        new AeadRouting(Engines.available(), !"false".equalsIgnoreCase(System.getProperty(WARMUP_PROPERTY)));
  }
}
