package com.plugsky.crypto.engine;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.EngineUnavailableException;
import com.plugsky.crypto.aead.Aead;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds the engines on the classpath, runs each one's known-answer test once, and hands out only
 * those that passed.
 *
 * <p>The default engine is the fastest available one by the measurements in docs/benchmarks.md
 * ({@link #PREFERENCE}); the system property {@value #ENGINE_PROPERTY} names another, and
 * {@value #FIPS_PROPERTY}{@code =true} restricts the default to FIPS-approved engines.
 */
public final class Engines {
  public static final String ENGINE_PROPERTY = "plugsky.crypto.engine";
  public static final String FIPS_PROPERTY = "plugsky.crypto.fips";

  /**
   * Best first when one engine must serve every size (see docs/benchmarks.md): the JDK 25
   * intrinsic and ACCP lead on arrays once warm, Conscrypt on large direct buffers, the native
   * engine has no JIT cold start, BC-FIPS trails everywhere. Engines not listed rank after these.
   */
  static final List<String> PREFERENCE = List.of("jdk", "accp", "native", "conscrypt", "bc-fips");

  private Engines() {}

  /** Every engine found, usable or not, with the reason for each unusable one. */
  public static List<EngineStatus> status() {
    return Registry.INSTANCE.statuses;
  }

  /** The usable engines, fastest first. */
  public static List<AeadEngine> available() {
    return Registry.INSTANCE.ranked;
  }

  /** The usable engines that run in FIPS approved-only mode, fastest first. */
  public static List<AeadEngine> fips() {
    return available().stream().filter(AeadEngine::isFipsApproved).toList();
  }

  /**
   * The engine called {@code name}.
   *
   * @throws EngineUnavailableException when no such engine exists or it failed to load or test
   */
  public static AeadEngine named(String name) {
    Registry registry = Registry.INSTANCE;
    AeadEngine engine = registry.byName.get(name);
    if (engine != null) {
      return engine;
    }
    Optional<EngineStatus> status =
        registry.statuses.stream().filter(s -> s.name().equals(name)).findFirst();
    if (status.isPresent()) {
      Throwable cause = status.get().unavailabilityCause().orElseThrow();
      throw new EngineUnavailableException(
          "engine '" + name + "' is unavailable: " + cause.getMessage(), cause);
    }
    throw new EngineUnavailableException(
        "no engine named '" + name + "'; found " + registry.statuses.stream().map(EngineStatus::name).toList(),
        null);
  }

  /**
   * The engine used when the caller names none: {@value #ENGINE_PROPERTY} if set, otherwise the
   * fastest available (FIPS-approved only when {@value #FIPS_PROPERTY} is true).
   */
  public static AeadEngine defaultEngine() {
    String forced = System.getProperty(ENGINE_PROPERTY);
    boolean fipsOnly = Boolean.getBoolean(FIPS_PROPERTY);
    if (forced != null && !forced.isBlank()) {
      AeadEngine engine = named(forced.strip());
      if (fipsOnly && !engine.isFipsApproved()) {
        throw new ConfigurationException(
            "engine '" + engine.name() + "' was chosen by " + ENGINE_PROPERTY
                + " but is not FIPS approved, and " + FIPS_PROPERTY + "=true");
      }
      return engine;
    }
    List<AeadEngine> candidates = fipsOnly ? fips() : available();
    if (candidates.isEmpty()) {
      throw new ConfigurationException(
          (fipsOnly ? "no FIPS-approved engine is available" : "no engine is available")
              + "; engines found: " + status().stream().map(EngineStatus::describe).toList());
    }
    return candidates.getFirst();
  }

  /**
   * An AES-256-GCM {@link Aead} that routes each call to the fastest engine for its size and
   * buffer kind ({@link AeadRouting}). When {@value #ENGINE_PROPERTY} names an engine or {@value
   * #FIPS_PROPERTY} is true, every call goes to {@link #defaultEngine()} instead.
   */
  public static Aead newAead(byte[] key) {
    if (routingOverridden()) {
      return defaultEngine().newAead(key);
    }
    AeadRouting routing = AeadRouting.measured();
    List<AeadEngine> engines = routing.engines();
    return engines.size() == 1 ? engines.getFirst().newAead(key) : new RoutedAead(routing, key);
  }

  /**
   * The engine {@link #newAead} would use for {@code byte[]} messages of {@code size} plaintext
   * bytes, for a workload that seals many messages of one size under one key (the frames of a
   * stream) and so keeps to one engine: {@link #defaultEngine()} when {@value #ENGINE_PROPERTY}
   * names an engine or {@value #FIPS_PROPERTY} is true, otherwise {@link AeadRouting}'s pick.
   */
  public static AeadEngine forArrays(int size) {
    return routingOverridden() ? defaultEngine() : AeadRouting.measured().engineFor(size, false);
  }

  private static boolean routingOverridden() {
    String forced = System.getProperty(ENGINE_PROPERTY);
    return Boolean.getBoolean(FIPS_PROPERTY) || (forced != null && !forced.isBlank());
  }

  private static final class Registry {
    static final Registry INSTANCE = new Registry();

    final List<EngineStatus> statuses;
    final List<AeadEngine> ranked;
    final Map<String, AeadEngine> byName;

    private Registry() {
      List<EngineStatus> found = new ArrayList<>();
      Map<String, AeadEngine> usable = new LinkedHashMap<>();
      for (AeadEngineProvider provider : ServiceLoader.load(AeadEngineProvider.class)) {
        String name = provider.name();
        if (usable.containsKey(name)) {
          continue;
        }
        try {
          AeadEngine engine = provider.load();
          KnownAnswerTest.run(engine);
          usable.put(name, engine);
          found.add(new EngineStatus(name, engine.isFipsApproved(), Optional.empty()));
        } catch (Exception | LinkageError e) {
          found.add(new EngineStatus(name, false, Optional.of(e)));
        }
      }
      this.statuses = List.copyOf(found);
      this.byName = Map.copyOf(usable);
      this.ranked =
          usable.values().stream().sorted(Comparator.comparingInt(Engines::rank)).toList();
    }
  }

  private static int rank(AeadEngine engine) {
    int index = PREFERENCE.indexOf(engine.name());
    return index < 0 ? PREFERENCE.size() : index;
  }
}
