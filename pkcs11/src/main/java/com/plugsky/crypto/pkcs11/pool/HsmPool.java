package com.plugsky.crypto.pkcs11.pool;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.pkcs11.Capabilities;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.KeyPairType;
import com.plugsky.crypto.pkcs11.MissingKey;
import com.plugsky.crypto.pkcs11.SignatureAlgorithm;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Several tokens holding the same keys (HSM cluster members, or tokens loaded from one backup)
 * behind one {@link Hsm}: calls are spread round-robin over healthy members and fail over to the
 * next member when one answers {@link KeyUnavailableException}. A member whose device, token or
 * session is gone is benched for {@code retryAfter} and then tried again, or at once by {@link
 * #checkHealth()}; a member that only lacks the key ({@link MissingKey}) is asked no further for
 * this call but stays healthy, and when no member holds the key the call fails with a {@link
 * MissingKey} failure. Other failures (a failed tag, bad input, a denied PIN, and a {@link
 * com.plugsky.crypto.ConfigurationException} such as {@code CKR_MECHANISM_INVALID}, which SoftHSM2
 * also answers when a key is destroyed under a running call) are answers, and are thrown without
 * trying another member: failing over would hide a member or request that is set up wrong.
 *
 * <p>Operations that change a token (generate, import, destroy) run on the first healthy member in
 * the configured order only, exactly once: a failure is thrown, never retried elsewhere, since the
 * first attempt may have taken effect. Copying keys between members is the HSMs' replication (or
 * the operator's import into each member), not the pool's. All other operations are repeatable
 * (AES-GCM with the caller's IV, key wrap, signing, HMAC) and may run on a second member after the
 * first failed. {@link #call} also says which member served a call.
 */
public final class HsmPool implements Hsm {
  private static final HsmKey REACH_TOKEN = HsmKey.label("plugsky-health-probe");
  private final List<Member> members;
  private final Duration retryAfter;
  private final HsmKey probeKey;
  private final LongSupplier clock;
  private final AtomicInteger next = new AtomicInteger();

  private HsmPool(Builder builder) {
    this.members = List.copyOf(builder.members);
    this.retryAfter = builder.retryAfter;
    this.probeKey = builder.probeKey;
    this.clock = System::nanoTime;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A call's result and the name of the member that produced it. */
  public record Served<T>(T value, String member) {}

  /** A member's state as the pool last saw it. */
  public enum Health {
    HEALTHY,
    /** Failed a call or a probe; skipped until {@code retryAfter} has passed. */
    BENCHED
  }

  /**
   * Runs a repeatable {@code operation} on one member, failing over to the others on {@link
   * KeyUnavailableException}.
   *
   * @throws KeyUnavailableException when no member could serve it, naming each member's failure
   */
  public <T> Served<T> call(Function<Hsm, T> operation) {
    Objects.requireNonNull(operation, "operation");
    List<Member> order = order();
    List<String> failures = new ArrayList<>();
    KeyUnavailableException last = null;
    boolean onlyMissingKeys = true;
    for (Member member : order) {
      try {
        T value = operation.apply(member.hsm);
        member.healthy();
        return new Served<>(value, member.name);
      } catch (KeyUnavailableException e) {
        if (MissingKey.is(e)) {
          // The member answered: it lacks the key (not yet replicated, or the caller's mistake).
          member.healthy();
        } else {
          member.bench(clock.getAsLong());
          onlyMissingKeys = false;
        }
        failures.add(member.name + ": " + e.getMessage());
        if (last != null) {
          e.addSuppressed(last);
        }
        last = e;
      }
    }
    String message =
        "no member of the HSM pool could serve the call (" + String.join("; ", failures) + ")";
    if (onlyMissingKeys) {
      throw MissingKey.failure(message + ": no member holds the key");
    }
    throw new KeyUnavailableException(message, last);
  }

  /** Each member's health as of the last call or probe, in the configured order. */
  public Map<String, Health> health() {
    Map<String, Health> health = new LinkedHashMap<>();
    for (Member member : members) {
      health.put(member.name, member.isBenched() ? Health.BENCHED : Health.HEALTHY);
    }
    return health;
  }

  /**
   * Probes every member now (finds the probe key, or opens a session and logs in if none is set)
   * and returns the resulting health; a benched member that answers is healthy again.
   */
  public Map<String, Health> checkHealth() {
    long now = clock.getAsLong();
    for (Member member : members) {
      try {
        // Without a probe key, finding any label still needs a session and a login.
        boolean found = member.hsm.contains(probeKey == null ? REACH_TOKEN : probeKey);
        if (probeKey == null || found) {
          member.healthy();
        } else {
          member.bench(now);
        }
      } catch (RuntimeException e) {
        member.bench(now);
      }
    }
    return health();
  }

  @Override
  public Capabilities capabilities() {
    return call(Hsm::capabilities).value();
  }

  @Override
  public boolean contains(HsmKey key) {
    return call(hsm -> hsm.contains(key)).value();
  }

  @Override
  public void destroyKey(HsmKey key) {
    once(
        hsm -> {
          hsm.destroyKey(key);
          return null;
        });
  }

  @Override
  public void generateAesKey(HsmKey key) {
    once(
        hsm -> {
          hsm.generateAesKey(key);
          return null;
        });
  }

  @Override
  public void importAesKey(HsmKey key, byte[] value) {
    once(
        hsm -> {
          hsm.importAesKey(key, value);
          return null;
        });
  }

  @Override
  public byte[] encryptAesGcm(HsmKey key, byte[] iv, byte[] plaintext, byte[] aad) {
    return call(hsm -> hsm.encryptAesGcm(key, iv, plaintext, aad)).value();
  }

  @Override
  public byte[] decryptAesGcm(HsmKey key, byte[] iv, byte[] ciphertextAndTag, byte[] aad) {
    return call(hsm -> hsm.decryptAesGcm(key, iv, ciphertextAndTag, aad)).value();
  }

  @Override
  public byte[] wrapKeyPad(HsmKey kek, byte[] secret) {
    return call(hsm -> hsm.wrapKeyPad(kek, secret)).value();
  }

  @Override
  public byte[] unwrapKeyPad(HsmKey kek, byte[] wrapped) {
    return call(hsm -> hsm.unwrapKeyPad(kek, wrapped)).value();
  }

  @Override
  public void generateKeyPair(HsmKey key, KeyPairType type) {
    once(
        hsm -> {
          hsm.generateKeyPair(key, type);
          return null;
        });
  }

  @Override
  public byte[] sign(HsmKey key, SignatureAlgorithm algorithm, byte[] data) {
    return call(hsm -> hsm.sign(key, algorithm, data)).value();
  }

  @Override
  public boolean verify(HsmKey key, SignatureAlgorithm algorithm, byte[] data, byte[] signature) {
    return call(hsm -> hsm.verify(key, algorithm, data, signature)).value();
  }

  @Override
  public PublicKey publicKey(HsmKey key) {
    return call(hsm -> hsm.publicKey(key)).value();
  }

  @Override
  public void importEcPublicKey(HsmKey key, ECPublicKey publicKey) {
    once(
        hsm -> {
          hsm.importEcPublicKey(key, publicKey);
          return null;
        });
  }

  @Override
  public void generateHmacKey(HsmKey key) {
    once(
        hsm -> {
          hsm.generateHmacKey(key);
          return null;
        });
  }

  @Override
  public void importHmacKey(HsmKey key, byte[] value) {
    once(
        hsm -> {
          hsm.importHmacKey(key, value);
          return null;
        });
  }

  @Override
  public byte[] hmacSha256(HsmKey key, byte[] data) {
    return call(hsm -> hsm.hmacSha256(key, data)).value();
  }

  @Override
  public boolean verifyHmacSha256(HsmKey key, byte[] data, byte[] mac) {
    return call(hsm -> hsm.verifyHmacSha256(key, data, mac)).value();
  }

  @Override
  public byte[] random(int length) {
    return call(hsm -> hsm.random(length)).value();
  }

  /** Closes every member. */
  @Override
  public void close() {
    members.forEach(member -> member.hsm.close());
  }

  @Override
  public String toString() {
    return "HsmPool" + health();
  }

  /**
   * Runs a token-changing {@code operation} exactly once, on the first healthy member in the
   * configured order (the first member at all if every one is benched).
   */
  private <T> Served<T> once(Function<Hsm, T> operation) {
    Member chosen =
        members.stream().filter(m -> !m.isBenched()).findFirst().orElse(members.getFirst());
    try {
      return new Served<>(operation.apply(chosen.hsm), chosen.name);
    } catch (KeyUnavailableException e) {
      if (MissingKey.is(e)) {
        throw e;
      }
      chosen.bench(clock.getAsLong());
      throw new KeyUnavailableException(
          "HSM pool member "
              + chosen.name
              + " failed a call that changes the token, which may have taken effect there; it is"
              + " not repeated on another member: "
              + e.getMessage(),
          e);
    }
  }

  /** Healthy members from the next round-robin position, then benched ones whose time is up. */
  private List<Member> order() {
    int start = Math.floorMod(next.getAndIncrement(), members.size());
    long now = clock.getAsLong();
    List<Member> healthy = new ArrayList<>();
    List<Member> retry = new ArrayList<>();
    List<Member> benched = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      Member member = members.get((start + i) % members.size());
      if (!member.isBenched()) {
        healthy.add(member);
      } else if (member.retryDue(now, retryAfter)) {
        retry.add(member);
      } else {
        benched.add(member);
      }
    }
    healthy.addAll(retry);
    // With no other choice left, a benched member still gets the call rather than failing it.
    healthy.addAll(benched);
    return healthy;
  }

  /** One token of the pool and when it last failed. */
  private static final class Member {
    final String name;
    final Hsm hsm;
    private volatile long benchedAt;
    private volatile boolean benched;

    Member(String name, Hsm hsm) {
      this.name = name;
      this.hsm = hsm;
    }

    void bench(long now) {
      benchedAt = now;
      benched = true;
    }

    void healthy() {
      benched = false;
    }

    boolean isBenched() {
      return benched;
    }

    boolean retryDue(long now, Duration retryAfter) {
      return now - benchedAt >= retryAfter.toNanos();
    }
  }

  /** Builds an {@link HsmPool}; members are tried in the order added. */
  public static final class Builder {
    private final List<Member> members = new ArrayList<>();
    private Duration retryAfter = Duration.ofSeconds(5);
    private HsmKey probeKey;

    private Builder() {}

    /**
     * Adds {@code hsm} under {@code name} (shown in results, health and errors); the pool closes
     * it.
     */
    public Builder member(String name, Hsm hsm) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(hsm, "hsm");
      if (members.stream().anyMatch(m -> m.name.equals(name))) {
        throw new InvalidInputException("the HSM pool already has a member named " + name);
      }
      members.add(new Member(name, hsm));
      return this;
    }

    /** How long a member that failed is passed over before it is tried again (5 s by default). */
    public Builder retryAfter(Duration retryAfter) {
      if (retryAfter.isNegative()) {
        throw new InvalidInputException("retryAfter must not be negative");
      }
      this.retryAfter = retryAfter;
      return this;
    }

    /** A key every member must hold for {@link #checkHealth()} to call it healthy. */
    public Builder probeKey(HsmKey probeKey) {
      this.probeKey = Objects.requireNonNull(probeKey, "probeKey");
      return this;
    }

    /**
     * @throws InvalidInputException with fewer than one member
     */
    public HsmPool build() {
      if (members.isEmpty()) {
        throw new InvalidInputException("an HSM pool needs at least one member");
      }
      return new HsmPool(this);
    }
  }
}
