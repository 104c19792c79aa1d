package com.plugsky.crypto.envelope;

import com.plugsky.crypto.MalformedCiphertextException;
import com.plugsky.crypto.primitive.Bytes;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

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
  private record Schedule(int suite, byte[] salt, byte[] payloadInfo, KeyedHmac extract) {
    Schedule(int suite, byte[] salt, byte[] payloadInfo) {
      // The extract's key is the suite's fixed, public salt: its pads derive from no secret.
      this(suite, salt, payloadInfo, KeyedHmac.of(salt.clone(), null, true));
    }

    /** A new array: the payload label, room for a message id, then the HKDF block counter 01. */
    byte[] newPayloadInfo() {
      byte[] info = Arrays.copyOf(payloadInfo, payloadInfo.length + Format.MESSAGE_ID_LENGTH + 1);
      info[info.length - 1] = 1;
      return info;
    }
  }

  private static final Schedule SUITE_2 =
      new Schedule(Format.SUITE_2, Format.SUITE_2_SALT, Format.SUITE_2_PAYLOAD_INFO);

  private static final Schedule SUITE_3 =
      new Schedule(Format.SUITE_3, Format.SUITE_3_SALT, Format.SUITE_3_PAYLOAD_INFO);

  /** Suite 2: the header key's info, then the HKDF block counter 01; read only. */
  private static final byte[] HEADER_KEY_INFO =
      Arrays.copyOf(Format.SUITE_2_HEADER_INFO, Format.SUITE_2_HEADER_INFO.length + 1);

  static {
    HEADER_KEY_INFO[HEADER_KEY_INFO.length - 1] = 1;
  }

  /** Per thread and suite: the payload info, whose message id each payload key fills in. */
  private static final ThreadLocal<byte[]> SUITE_2_PAYLOAD_INFO =
      ThreadLocal.withInitial(SUITE_2::newPayloadInfo);

  private static final ThreadLocal<byte[]> SUITE_3_PAYLOAD_INFO =
      ThreadLocal.withInitial(SUITE_3::newPayloadInfo);

  private final Schedule schedule;
  private final KeyedHmac expand;

  /** Suite 2 only: the header key, and the MAC of header tags under it; else null. */
  private final byte[] headerKey;

  private final KeyedHmac headerTags;
  private final AtomicInteger references = new AtomicInteger(1);

  /**
   * Suite 3: the wrapped keys of the last commitment computed, and that commitment. Every message
   * under one data key (a cached one) carries the same wrapped keys, so one HMAC serves them all;
   * both are public header bytes, so nothing here needs zeroing.
   */
  private volatile Commitment lastCommitment;

  private record Commitment(byte[] wrappedKeys, byte[] value) {}

  private DataKeySecrets(
      Schedule schedule,
      KeyedHmac expand,
      byte[] headerKey,
      SymmetricPrimitives primitives,
      boolean heldPads) {
    this.schedule = schedule;
    this.expand = expand;
    this.headerKey = headerKey;
    this.headerTags =
        headerKey == null ? null : KeyedHmac.of(headerKey.clone(), primitives, heldPads);
  }

  /** Suite 2; takes ownership of both arrays; for tests that need to see them zeroed. */
  static DataKeySecrets of(byte[] prk, byte[] headerKey, SymmetricPrimitives primitives) {
    return new DataKeySecrets(
        SUITE_2, KeyedHmac.of(prk, primitives, true), headerKey, primitives, true);
  }

  /**
   * HKDF-Extract of the data key under {@code suite}'s salt (2 or 3), and in suite 2 the header
   * key; the caller keeps ownership of {@code dataKey}. {@code heldPads} unless the engine is FIPS
   * approved (see {@link KeyedHmac}).
   *
   * @throws MalformedCiphertextException when the data key is not 32 bytes (a wrapping of a key of
   *     another length)
   */
  static DataKeySecrets derive(
      int suite, byte[] dataKey, SymmetricPrimitives primitives, boolean heldPads) {
    MessageKeys.checkDataKeyLength(dataKey);
    Schedule schedule = suite == Format.SUITE_3 ? SUITE_3 : SUITE_2;
    byte[] prk = new byte[KeyedHmac.LENGTH];
    if (heldPads) {
      schedule.extract().mac(dataKey, 0, dataKey.length, prk, 0);
    } else {
      try (KeyedHmac extract = KeyedHmac.of(schedule.salt().clone(), primitives, false)) {
        extract.mac(dataKey, 0, dataKey.length, prk, 0);
      }
    }
    if (suite == Format.SUITE_3) {
      // Suite 3 spends one HMAC per message, its payload key: worth holding pre-hashed states.
      KeyedHmac expand =
          heldPads ? KeyedHmac.withHeldStates(prk) : KeyedHmac.of(prk, primitives, false);
      return new DataKeySecrets(schedule, expand, null, primitives, heldPads);
    }
    KeyedHmac expand = KeyedHmac.of(prk, primitives, heldPads);
    byte[] headerKey = new byte[KeyedHmac.LENGTH];
    expand.mac(HEADER_KEY_INFO, 0, HEADER_KEY_INFO.length, headerKey, 0);
    return new DataKeySecrets(schedule, expand, headerKey, primitives, heldPads);
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
    byte[] info =
        schedule.suite() == Format.SUITE_3 ? SUITE_3_PAYLOAD_INFO.get() : SUITE_2_PAYLOAD_INFO.get();
    System.arraycopy(
        messageId, idOffset, info, schedule.payloadInfo().length, Format.MESSAGE_ID_LENGTH);
    expand.mac(info, 0, info.length, out, 0);
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
    if (headerTags != null) {
      headerTags.mac(header, 0, length, out, outOffset);
      return;
    }
    Commitment last = lastCommitment;
    if (last == null
        || !Arrays.equals(
            header, contextEnd, length, last.wrappedKeys(), 0, last.wrappedKeys().length)) {
      byte[] label = Format.SUITE_3_COMMIT_INFO;
      byte[] info = new byte[label.length + (length - contextEnd) + 1];
      System.arraycopy(label, 0, info, 0, label.length);
      System.arraycopy(header, contextEnd, info, label.length, length - contextEnd);
      info[info.length - 1] = 1;
      byte[] value = new byte[KeyedHmac.LENGTH];
      expand.mac(info, 0, info.length, value, 0);
      last = new Commitment(Arrays.copyOfRange(header, contextEnd, length), value);
      lastCommitment = last;
    }
    System.arraycopy(last.value(), 0, out, outOffset, KeyedHmac.LENGTH);
  }

  /** Suite 2: the HMAC-SHA256 key of the header tag, the array itself, for tests. */
  byte[] headerKey() {
    return headerKey;
  }

  /** One more reference, which the caller closes; only while the caller's own is open. */
  DataKeySecrets retain() {
    if (references.getAndIncrement() <= 0) {
      throw new IllegalStateException("data key secrets retained after their last close");
    }
    return this;
  }

  /** Closes one reference; the last one zeroes the keys. */
  @Override
  public void close() {
    if (references.decrementAndGet() == 0) {
      expand.close();
      if (headerTags != null) {
        Bytes.zero(headerKey);
        headerTags.close();
      }
    }
  }
}
