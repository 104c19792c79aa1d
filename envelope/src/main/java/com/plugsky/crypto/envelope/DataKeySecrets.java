package com.plugsky.crypto.envelope;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * What suites 2 and 3 derive once per data key (docs/FORMAT.md, key schedules): the HKDF
 * pseudorandom key, ready as a {@link KeyedHmac} for every HKDF-Expand under it, and in suite 2 the
 * header key. A data-key cache keeps these instead of the data key, so that a message under a
 * cached key costs one HMAC for its payload key (and in suite 2 one for its header tag), with no
 * key set-up.
 *
 * <p>Shared by reference count: whoever holds one (the cache, each message being encrypted) owns a
 * reference and closes it once; the keys are zeroed when the last reference is closed, so evicting
 * a cache entry never pulls the keys from under a message in flight.
 */
final class DataKeySecrets implements HeaderSealer, AutoCloseable {
  /** A suite's labels, and its extract with pads held once for all data keys. */
  private record Schedule(int suite, byte[] salt, byte[] payloadLabel, KeyedHmac extract) {
    Schedule(int suite, byte[] salt, byte[] payloadLabel) {
      // The extract's key is the suite's fixed, public salt: its pads derive from no secret.
      this(
          suite,
          salt,
          payloadLabel,
          KeyedHmac.of(salt.clone(), null, KeyedHmac.Form.unapproved(true)));
    }
  }

  private static final Schedule SUITE_2 =
      new Schedule(Format.SUITE_2, Format.SUITE_2_SALT, Format.SUITE_2_PAYLOAD_INFO);

  private static final Schedule SUITE_3 =
      new Schedule(Format.SUITE_3, Format.SUITE_3_SALT, Format.SUITE_3_PAYLOAD_INFO);

  /** Suite 2's header key expands its label alone. */
  private static final byte[] NO_DATA = {};

  private static final AtomicIntegerFieldUpdater<DataKeySecrets> REFERENCES =
      AtomicIntegerFieldUpdater.newUpdater(DataKeySecrets.class, "references");

  /**
   * Per thread, the PRK on its way into its {@link KeyedHmac} (which zeroes it) and a first
   * commitment being compared: arrays that live for one call need not be allocated for it.
   */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    final byte[] prk = new byte[KeyedHmac.LENGTH];
    final byte[] commitment = new byte[KeyedHmac.LENGTH];
  }

  private final Schedule schedule;
  private final KeyedHmac expand;

  /** Suite 2 only: the header key, and the MAC of header tags under it; else null. */
  private final byte[] headerKey;

  private final KeyedHmac headerTags;

  /** Counted through {@link #REFERENCES}: a field, not an object, per data key. */
  private volatile int references = 1;

  /**
   * Suite 3: the wrapped keys of the last commitment computed, and that commitment. Every message
   * under one data key (a cached one) carries the same wrapped keys, so one HMAC serves them all;
   * both are public header bytes, so nothing here needs zeroing. Kept from the second commitment
   * on: most data keys serve one message, which needs no copy.
   */
  private volatile Commitment lastCommitment;

  private volatile boolean committed;

  private record Commitment(byte[] wrappedKeys, byte[] value) {}

  private DataKeySecrets(
      Schedule schedule,
      KeyedHmac expand,
      byte[] headerKey,
      SymmetricPrimitives primitives,
      KeyedHmac.Form form) {
    this.schedule = schedule;
    this.expand = expand;
    this.headerKey = headerKey;
    this.headerTags = headerKey == null ? null : KeyedHmac.of(headerKey.clone(), primitives, form);
  }

  /** Suite 2; takes ownership of both arrays; for tests that need to see them zeroed. */
  static DataKeySecrets of(byte[] prk, byte[] headerKey, SymmetricPrimitives primitives) {
    KeyedHmac.Form form = KeyedHmac.Form.HELD_PADS;
    return new DataKeySecrets(
        SUITE_2, KeyedHmac.of(prk, primitives, form), headerKey, primitives, form);
  }

  /**
   * HKDF-Extract of the data key under {@code suite}'s salt (2 or 3), and in suite 2 the header
   * key; the caller keeps ownership of {@code dataKey}. {@code form} says how the keys are held
   * ({@link KeyedHmac.Form}): through the engine when it is FIPS approved, else with held states
   * when the data key will serve many messages.
   *
   * @throws MalformedCiphertextException when the data key is not 32 bytes (a wrapping of a key of
   *     another length)
   */
  static DataKeySecrets derive(
      int suite, byte[] dataKey, SymmetricPrimitives primitives, KeyedHmac.Form form) {
    MessageKeys.checkDataKeyLength(dataKey);
    Schedule schedule = suite == Format.SUITE_3 ? SUITE_3 : SUITE_2;
    KeyedHmac expand;
    if (form != KeyedHmac.Form.THROUGH_ENGINE) {
      // Every other form keeps states or pads, not the key, so the PRK can pass through scratch.
      byte[] prk = SCRATCH.get().prk;
      try {
        schedule.extract().mac(dataKey, 0, dataKey.length, prk, 0);
        expand = KeyedHmac.of(prk, primitives, form);
      } finally {
        Bytes.zero(prk);
      }
    } else {
      byte[] prk = new byte[KeyedHmac.LENGTH];
      try (KeyedHmac extract = KeyedHmac.of(schedule.salt().clone(), primitives, form)) {
        extract.mac(dataKey, 0, dataKey.length, prk, 0);
      }
      expand = KeyedHmac.of(prk, primitives, form);
    }
    if (suite == Format.SUITE_3) {
      return new DataKeySecrets(schedule, expand, null, primitives, form);
    }
    byte[] headerKey = new byte[KeyedHmac.LENGTH];
    expand.expand(Format.SUITE_2_HEADER_INFO, NO_DATA, 0, 0, headerKey, 0);
    return new DataKeySecrets(schedule, expand, headerKey, primitives, form);
  }

  /** The suite these secrets were derived for. */
  int suite() {
    return schedule.suite();
  }

  /**
   * Writes the payload key of the message whose id is at {@code messageId[idOffset]} into {@code
   * out} (32 bytes): one HKDF-Expand block, whose info is the payload label, the id and 01.
   */
  void payloadKey(byte[] messageId, int idOffset, byte[] out) {
    expand.expand(
        schedule.payloadLabel(), messageId, idOffset, Format.MESSAGE_ID_LENGTH, out, 0);
  }

  /** The payload key of the message {@code messageId}, in a new array the caller zeroes. */
  byte[] payloadKey(byte[] messageId) {
    byte[] key = new byte[KeyedHmac.LENGTH];
    payloadKey(messageId, 0, key);
    return key;
  }

  /**
   * Suite 2: the header tag over {@code header[0 .. length)}. Suite 3: the key commitment,
   * HKDF-Expand under the PRK whose info is the commitment label and the wrapped-key count and
   * entries ({@code header[contextEnd .. length)}).
   */
  @Override
  public void writeLastField(
      byte[] header, int contextEnd, int length, byte[] out, int outOffset) {
    if (schedule.suite() == Format.SUITE_2) {
      headerTags.mac(header, 0, length, out, outOffset);
      return;
    }
    byte[] known = knownCommitment(header, contextEnd, length);
    if (known != null) {
      System.arraycopy(known, 0, out, outOffset, KeyedHmac.LENGTH);
      return;
    }
    commit(header, contextEnd, length, out, outOffset);
  }

  /** Suite 3 compares the commitment where it lies. */
  @Override
  public boolean lastFieldMatches(byte[] header, int contextEnd, int length) {
    if (schedule.suite() == Format.SUITE_2) {
      return HeaderSealer.super.lastFieldMatches(header, contextEnd, length);
    }
    byte[] commitment = knownCommitment(header, contextEnd, length);
    if (commitment == null) {
      commitment = SCRATCH.get().commitment;
      commit(header, contextEnd, length, commitment, 0);
    }
    return Bytes.constantTimeEquals(commitment, 0, header, length, KeyedHmac.LENGTH);
  }

  /** The kept commitment when it is over {@code header[contextEnd .. length)}; read it only. */
  private byte[] knownCommitment(byte[] header, int contextEnd, int length) {
    Commitment last = lastCommitment;
    return last != null
            && Arrays.equals(
                header, contextEnd, length, last.wrappedKeys(), 0, last.wrappedKeys().length)
        ? last.value()
        : null;
  }

  /**
   * Computes the commitment over {@code header[contextEnd .. length)} at {@code out[outOffset]},
   * and keeps it unless it is this data key's first.
   */
  private void commit(byte[] header, int contextEnd, int length, byte[] out, int outOffset) {
    expand.expand(
        Format.SUITE_3_COMMIT_INFO, header, contextEnd, length - contextEnd, out, outOffset);
    if (!committed) {
      committed = true;
      return;
    }
    lastCommitment =
        new Commitment(
            Arrays.copyOfRange(header, contextEnd, length),
            Arrays.copyOfRange(out, outOffset, outOffset + KeyedHmac.LENGTH));
  }

  /** This thread's PRK scratch, the array itself, for tests. */
  static byte[] scratchPrk() {
    return SCRATCH.get().prk;
  }

  /** Suite 2: the HMAC-SHA256 key of the header tag, the array itself, for tests. */
  byte[] headerKey() {
    return headerKey;
  }

  /** One more reference, which the caller closes; only while the caller's own is open. */
  DataKeySecrets retain() {
    if (REFERENCES.getAndIncrement(this) <= 0) {
      throw new IllegalStateException("data key secrets retained after their last close");
    }
    return this;
  }

  /** Closes one reference; the last one zeroes the keys. */
  @Override
  public void close() {
    if (REFERENCES.decrementAndGet(this) == 0) {
      expand.close();
      if (headerTags != null) {
        Bytes.zero(headerKey);
        headerTags.close();
      }
    }
  }
}
