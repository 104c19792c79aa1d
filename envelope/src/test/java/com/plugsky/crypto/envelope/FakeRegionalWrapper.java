package com.plugsky.crypto.envelope;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.CryptoRandom;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory stand-in for a regional KMS (aws-kms: KeyRefs carry a region), so that region
 * preference can be tested without a cloud account: one random KEK per key identity, AES-KWP under a
 * key derived from it and the context, and a record of which KeyRefs were asked to unwrap, to
 * generate a data key and to rewrap. Another scheme may be given to stand in for its backend.
 */
final class FakeRegionalWrapper implements KeyWrapper {
  private final SymmetricPrimitives primitives = Engines.defaultEngine().primitives();
  private final KeyRefScheme scheme;
  private final Map<String, byte[]> keks = new ConcurrentHashMap<>();
  private final List<KeyRef> unwrapsBy = new CopyOnWriteArrayList<>();
  private final List<KeyRef> generatesBy = new CopyOnWriteArrayList<>();
  private final List<List<KeyRef>> rewraps = new CopyOnWriteArrayList<>();

  FakeRegionalWrapper() {
    this(KeyRefScheme.AWS_KMS);
  }

  FakeRegionalWrapper(KeyRefScheme scheme) {
    this.scheme = scheme;
  }

  @Override
  public KeyRefScheme scheme() {
    return scheme;
  }

  @Override
  public WrappedKey wrap(KeyRef keyRef, byte[] dataKey, EncryptionContext context) {
    return new WrappedKey(
        keyRef, primitives.wrapKey(KeyWrapMode.AES_KWP, wrapKey(keyRef, context), dataKey));
  }

  @Override
  public byte[] unwrap(WrappedKey wrappedKey, EncryptionContext context) {
    unwrapsBy.add(wrappedKey.keyRef());
    return primitives.unwrapKey(
        KeyWrapMode.AES_KWP, wrapKey(wrappedKey.keyRef(), context), wrappedKey.bytes());
  }

  @Override
  public DataKey generateDataKey(KeyRef keyRef, int length, EncryptionContext context) {
    generatesBy.add(keyRef);
    return KeyWrapper.super.generateDataKey(keyRef, length, context);
  }

  @Override
  public WrappedKey rewrap(WrappedKey wrappedKey, KeyRef target, EncryptionContext context) {
    rewraps.add(List.of(wrappedKey.keyRef(), target));
    return KeyWrapper.super.rewrap(wrappedKey, target, context);
  }

  List<KeyRef> unwrapsBy() {
    return List.copyOf(unwrapsBy);
  }

  List<KeyRef> generatesBy() {
    return List.copyOf(generatesBy);
  }

  /** Each rewrap as [from, to]. */
  List<List<KeyRef>> rewraps() {
    return List.copyOf(rewraps);
  }

  private byte[] wrapKey(KeyRef keyRef, EncryptionContext context) {
    byte[] kek = keks.computeIfAbsent(keyRef.identity(), k -> CryptoRandom.bytes(32));
    return primitives.hkdfSha256(kek, new byte[0], context.encoded(), 32);
  }
}
