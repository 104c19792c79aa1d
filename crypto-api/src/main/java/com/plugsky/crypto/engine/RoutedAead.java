package com.plugsky.crypto.engine;

import com.plugsky.crypto.aead.Aead;
import java.nio.ByteBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link Aead} that hands each call to the engine {@link AeadRouting} picks for its size and
 * buffer kind. It holds one keyed {@link Aead} per engine the routing can pick.
 */
final class RoutedAead implements Aead {
  private final AeadRouting routing;
  private final Map<AeadEngine, Aead> byEngine = new IdentityHashMap<>();
  private final String name;
  private final Aead smallArrays;
  private final Aead mediumArrays;
  private final Aead largeArrays;
  private final Aead smallDirect;
  private final Aead largeDirect;
  private final Aead jdk;
  private final Aead shortStandIn;
  private final Aead longStandIn;
  /** Set once the JDK is seen warm; a racy cache of a flag that only ever turns true. */
  private boolean jdkWarm;

  RoutedAead(AeadRouting routing, byte[] key) {
    this.routing = routing;
    StringBuilder names = new StringBuilder("routed(");
    try {
      for (AeadEngine engine : routing.engines()) {
        byEngine.put(engine, engine.newAead(key));
        names.append(byEngine.size() == 1 ? "" : "|").append(engine.name());
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    this.name = names.append(')').toString();
    // Resolved once, so a call picks its Aead with two comparisons and no map lookup.
    this.smallArrays = ruleAead(0, false);
    this.mediumArrays = ruleAead(AeadRouting.SMALL_ARRAY_LIMIT, false);
    this.largeArrays = ruleAead(AeadRouting.LARGE_ARRAY_FROM, false);
    this.smallDirect = ruleAead(0, true);
    this.largeDirect = ruleAead(AeadRouting.DIRECT_CROSSOVER, true);
    this.jdk = byEngine.entrySet().stream()
        .filter(entry -> AeadRouting.isJdk(entry.getKey()))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
    AeadEngine shortStandInEngine = routing.standInFor(0);
    this.shortStandIn = shortStandInEngine == null ? null : byEngine.get(shortStandInEngine);
    this.longStandIn = shortStandInEngine == null ? null : byEngine.get(routing.standInFor(AeadRouting.STAND_IN_CROSSOVER));
    this.jdkWarm = shortStandIn == null || routing.jdkWarm();
  }

  private Aead ruleAead(int size, boolean direct) {
    return byEngine.get(routing.ruleFor(size, direct));
  }

  Aead forArray(int plaintextLength) {
    Aead rule = plaintextLength < AeadRouting.SMALL_ARRAY_LIMIT
        ? smallArrays
        : plaintextLength < AeadRouting.LARGE_ARRAY_FROM ? mediumArrays : largeArrays;
    return whileJdkIsCold(rule, plaintextLength);
  }

  Aead forBuffers(int plaintextLength, ByteBuffer in, ByteBuffer out) {
    Objects.requireNonNull(in, "input buffer");
    Objects.requireNonNull(out, "output buffer");
    if (in.isDirect() || out.isDirect()) {
      return whileJdkIsCold(plaintextLength < AeadRouting.DIRECT_CROSSOVER ? smallDirect : largeDirect, plaintextLength);
    }
    return forArray(plaintextLength);
  }

  private Aead whileJdkIsCold(Aead rule, int plaintextLength) {
    if (rule != jdk || jdkWarm) {
      return rule;
    }
    if (routing.jdkWarm()) {
      jdkWarm = true;
      return rule;
    }
    return plaintextLength < AeadRouting.STAND_IN_CROSSOVER ? shortStandIn : longStandIn;
  }

  @Override
  public byte[] encrypt(byte[] plaintext, byte[] associatedData) {
    Objects.requireNonNull(plaintext, "plaintext");
    return forArray(plaintext.length).encrypt(plaintext, associatedData);
  }

  @Override
  public byte[] decrypt(byte[] ciphertext, byte[] associatedData) {
    Objects.requireNonNull(ciphertext, "ciphertext");
    return forArray(ciphertext.length - OVERHEAD).decrypt(ciphertext, associatedData);
  }

  @Override
  public int encrypt(byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset) {
    return forArray(length).encrypt(input, offset, length, associatedData, output, outputOffset);
  }

  @Override
  public int decrypt(byte[] input, int offset, int length, byte[] associatedData, byte[] output, int outputOffset) {
    return forArray(length - OVERHEAD).decrypt(input, offset, length, associatedData, output, outputOffset);
  }

  @Override
  public int encrypt(ByteBuffer plaintext, byte[] associatedData, ByteBuffer output) {
    return forBuffers(plaintext.remaining(), plaintext, output).encrypt(plaintext, associatedData, output);
  }

  @Override
  public int decrypt(ByteBuffer ciphertext, byte[] associatedData, ByteBuffer output) {
    return forBuffers(ciphertext.remaining() - OVERHEAD, ciphertext, output).decrypt(ciphertext, associatedData, output);
  }

  @Override
  public String engineName() {
    return name;
  }

  @Override
  public void close() {
    byEngine.values().forEach(Aead::close);
  }

  @Override
  public String toString() {
    return "Aead[AES-256-GCM, engine=" + name + "]";
  }
}
