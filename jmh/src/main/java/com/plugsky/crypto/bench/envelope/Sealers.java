package com.plugsky.crypto.bench.envelope;

import com.amazonaws.encryptionsdk.AwsCrypto;
import com.amazonaws.encryptionsdk.CommitmentPolicy;
import com.amazonaws.encryptionsdk.CryptoAlgorithm;
import com.amazonaws.encryptionsdk.CryptoMaterialsManager;
import com.amazonaws.encryptionsdk.CryptoResult;
import com.amazonaws.encryptionsdk.DefaultCryptoMaterialsManager;
import com.amazonaws.encryptionsdk.caching.CachingCryptoMaterialsManager;
import com.amazonaws.encryptionsdk.caching.LocalCryptoMaterialsCache;
import com.amazonaws.encryptionsdk.jce.JceMasterKey;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.KmsEnvelopeAead;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.envelope.DataKeyCache;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.spec.SecretKeySpec;

/**
 * The implementations of the envelope family, each sealing and opening whole messages with a local
 * key-encryption key and the same two-pair encryption context.
 */
final class Sealers {
  static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme", "purpose", "orders");

  /**
   * How many messages a decrypt benchmark opens in turn (a power of two). Each message has its own
   * keys, as in a service's traffic: opening one message again and again would let an engine that
   * remembers its last key (the JDK's AES does) skip the key schedule every envelope message pays.
   */
  static final int MESSAGES_TO_OPEN = 64;

  private Sealers() {}

  /**
   * {@link #MESSAGES_TO_OPEN} messages of {@code plaintext} sealed by {@code sealer} (the
   * implementation {@code name}), each checked to open to it again, for a decrypt benchmark to open
   * in turn.
   *
   * @throws IllegalStateException when a message does not round-trip
   */
  static byte[][] messagesToOpen(String name, Sealer sealer, byte[] plaintext)
      throws GeneralSecurityException {
    byte[][] messages = new byte[MESSAGES_TO_OPEN][];
    for (int i = 0; i < messages.length; i++) {
      messages[i] = sealer.seal(plaintext);
      if (!Arrays.equals(sealer.open(messages[i]), plaintext)) {
        throw new IllegalStateException(name + " did not round-trip");
      }
    }
    return messages;
  }

  /** One implementation's encrypt and decrypt of whole messages. */
  interface Sealer extends AutoCloseable {
    byte[] seal(byte[] plaintext) throws GeneralSecurityException;

    byte[] open(byte[] message) throws GeneralSecurityException;

    @Override
    default void close() {}
  }

  static Sealer named(String name, Path keyDirectory) throws GeneralSecurityException {
    return switch (name) {
      case "envelope" -> envelope(null, keyDirectory, null);
      case "envelope-cached" -> envelope(cache(), keyDirectory, null);
      case "envelope-cached-native", "envelope-cached-conscrypt", "envelope-cached-accp", "envelope-cached-jdk" ->
          envelope(cache(), keyDirectory, Engines.named(name.substring("envelope-cached-".length())));
      case "raw-aead" -> rawAead();
      case "raw-aead-new-key" -> rawAeadNewKey();
      case "tink" -> tink();
      case "esdk" -> esdk(false);
      case "esdk-cached" -> esdk(true);
      default -> throw new IllegalArgumentException("unknown implementation '" + name + "'");
    };
  }

  private static DataKeyCache cache() {
    return DataKeyCache.builder()
        .maxEntries(16).maxAge(Duration.ofMinutes(10)).maxMessagesPerKey(1L << 32).maxBytesPerKey(1L << 50).build();
  }

  /** @param engine the Envelope's engine (frames under a new key per message), null for its default */
  private static Sealer envelope(DataKeyCache cache, Path keyDirectory, AeadEngine engine) {
    Envelope.Builder builder = Envelope.builder()
        .kek(KeyRef.parse("local:bench"))
        .keyWrapper(LocalKeyWrapper.builder().keyDirectory(keyDirectory).build());
    if (cache != null) {
      builder.dataKeyCache(cache);
    }
    if (engine != null) {
      builder.engine(engine);
    }
    Envelope envelope = builder.build();
    return new Sealer() {
      @Override
      public byte[] seal(byte[] data) {
        return envelope.encrypt(data, CONTEXT);
      }

      @Override
      public byte[] open(byte[] sealed) {
        return envelope.decrypt(sealed, CONTEXT);
      }
    };
  }

  private static Sealer rawAead() {
    Aead aead = Engines.newAead(CryptoRandom.bytes(Aead.KEY_LENGTH));
    byte[] aad = CONTEXT.encoded();
    return new Sealer() {
      @Override
      public byte[] seal(byte[] data) {
        return aead.encrypt(data, aad);
      }

      @Override
      public byte[] open(byte[] sealed) {
        return aead.decrypt(sealed, aad);
      }

      @Override
      public void close() {
        aead.close();
      }
    };
  }

  /**
   * The floor of any format that gives each message its own key (as issue 4's payload keys do): a
   * new AES-256-GCM key set up for every message, on the engine the envelope seals that size on
   * when it chooses (Conscrypt up to 4 KiB, else the default), and nothing else: no key derivation,
   * header or wrapping. Keys come from a ring of {@link #MESSAGES_TO_OPEN}, one per seal in turn;
   * opens take them in the same turn, so the benchmarks, which open the messages in the order they
   * were sealed, open each under its own key, on the engine the envelope opens that size on.
   */
  private static Sealer rawAeadNewKey() {
    AeadEngine configured = Engines.defaultEngine();
    AeadEngine small =
        Engines.available().stream()
            .filter(e -> e.name().equals("conscrypt"))
            .findFirst()
            .orElse(configured);
    byte[][] keys = new byte[MESSAGES_TO_OPEN][];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = CryptoRandom.bytes(Aead.KEY_LENGTH);
    }
    byte[] aad = CONTEXT.encoded();
    return new Sealer() {
      private int sealed;
      private int opened;

      @Override
      public byte[] seal(byte[] data) {
        byte[] key = keys[sealed++ & (keys.length - 1)];
        try (Aead aead = engineFor(data.length).newAead(key)) {
          return aead.encrypt(data, aad);
        }
      }

      @Override
      public byte[] open(byte[] sealedMessage) {
        byte[] key = keys[opened++ & (keys.length - 1)];
        try (Aead aead = engineFor(sealedMessage.length - Aead.OVERHEAD).newAead(key)) {
          return aead.decrypt(sealedMessage, aad);
        }
      }

      /** The envelope's choice for a whole message of this many plaintext bytes. */
      private AeadEngine engineFor(int plaintextLength) {
        return plaintextLength <= 4096 ? small : configured;
      }
    };
  }

  private static Sealer esdk(boolean cached) {
    AwsCrypto crypto = AwsCrypto.builder()
        .withCommitmentPolicy(CommitmentPolicy.RequireEncryptRequireDecrypt)
        .withEncryptionAlgorithm(CryptoAlgorithm.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY)
        .build();
    JceMasterKey kek = JceMasterKey.getInstance(
        new SecretKeySpec(CryptoRandom.bytes(32), "AES"), "bench", "local-kek", "AES/GCM/NoPadding");
    CryptoMaterialsManager materials = cached
        ? CachingCryptoMaterialsManager.newBuilder()
            .withMasterKeyProvider(kek)
            .withCache(new LocalCryptoMaterialsCache(16))
            .withMaxAge(10, TimeUnit.MINUTES)
            .withMessageUseLimit(1L << 32)
            .build()
        : new DefaultCryptoMaterialsManager(kek);
    Map<String, String> context = CONTEXT.asMap();
    return new Sealer() {
      @Override
      public byte[] seal(byte[] data) {
        return crypto.encryptData(materials, data, context).getResult();
      }

      @Override
      public byte[] open(byte[] sealed) {
        CryptoResult<byte[], ?> result = crypto.decryptData(materials, sealed);
        if (!result.getEncryptionContext().entrySet().containsAll(context.entrySet())) {
          throw new IllegalStateException("the ESDK message carries another context");
        }
        return result.getResult();
      }
    };
  }

  private static Sealer tink() throws GeneralSecurityException {
    AeadConfig.register();
    com.google.crypto.tink.Aead kek = new AesGcmJce(CryptoRandom.bytes(32));
    com.google.crypto.tink.Aead envelope = KmsEnvelopeAead.create(PredefinedAeadParameters.AES256_GCM, kek);
    byte[] aad = CONTEXT.encoded();
    return new Sealer() {
      @Override
      public byte[] seal(byte[] data) throws GeneralSecurityException {
        return envelope.encrypt(data, aad);
      }

      @Override
      public byte[] open(byte[] sealed) throws GeneralSecurityException {
        return envelope.decrypt(sealed, aad);
      }
    };
  }
}
