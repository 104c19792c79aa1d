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
  }

  private Aead forArray(int plaintextLength) {
    return byEngine.get(routing.engineFor(plaintextLength, false));
  }

  private Aead forBuffers(int plaintextLength, ByteBuffer in, ByteBuffer out) {
    Objects.requireNonNull(in, "input buffer");
    Objects.requireNonNull(out, "output buffer");
    return byEngine.get(routing.engineFor(plaintextLength, in.isDirect() || out.isDirect()));
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
