package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ATTRIBUTE;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.POINTER;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.Arrays;

/**
 * A CK_ATTRIBUTE array built in an arena or a session's scratch memory. Values that may be secret
 * are remembered and zeroed by {@link #wipe()} before the arena frees them.
 *
 * <p>Attributes are kept in plain arrays, not lists of boxed types: a key wrap builds one of these
 * per call, and what it allocates on the heap is garbage the moment the call returns.
 */
final class Template {
  /** Enough for every template the backend builds; a longer one grows. */
  private static final int INITIAL_CAPACITY = 12;

  private final SegmentAllocator arena;
  private long[] types = new long[INITIAL_CAPACITY];
  private MemorySegment[] values = new MemorySegment[INITIAL_CAPACITY];
  private int count;
  private MemorySegment[] secrets;
  private int secretCount;

  Template(SegmentAllocator arena) {
    this.arena = arena;
  }

  Template ulong(long type, long value) {
    MemorySegment segment = arena.allocate(CK_ULONG);
    segment.set(CK_ULONG, 0, value);
    return add(type, segment);
  }

  Template bool(long type, boolean value) {
    MemorySegment segment = arena.allocate(JAVA_BYTE);
    segment.set(JAVA_BYTE, 0, value ? (byte) 1 : (byte) 0);
    return add(type, segment);
  }

  Template bytes(long type, byte[] value) {
    return add(type, arena.allocateFrom(JAVA_BYTE, value));
  }

  /** A value that must not outlive the call, e.g. a key's {@code CKA_VALUE}. */
  Template secret(long type, byte[] value) {
    MemorySegment segment = arena.allocateFrom(JAVA_BYTE, value);
    if (secrets == null) {
      secrets = new MemorySegment[2];
    } else if (secretCount == secrets.length) {
      secrets = Arrays.copyOf(secrets, secretCount * 2);
    }
    secrets[secretCount++] = segment;
    return add(type, segment);
  }

  private Template add(long type, MemorySegment value) {
    if (count == types.length) {
      types = Arrays.copyOf(types, count * 2);
      values = Arrays.copyOf(values, count * 2);
    }
    types[count] = type;
    values[count] = value;
    count++;
    return this;
  }

  int count() {
    return count;
  }

  /** The CK_ATTRIBUTE array, laid out now. */
  MemorySegment segment() {
    MemorySegment array = arena.allocate(CK_ATTRIBUTE, Math.max(1, count));
    long stride = CK_ATTRIBUTE.byteSize();
    for (int i = 0; i < count; i++) {
      long base = i * stride;
      array.set(CK_ULONG, base, types[i]);
      array.set(POINTER, base + CK_ULONG.byteSize(), values[i]);
      array.set(CK_ULONG, base + CK_ULONG.byteSize() + POINTER.byteSize(), values[i].byteSize());
    }
    return array;
  }

  void wipe() {
    for (int i = 0; i < secretCount; i++) {
      secrets[i].fill((byte) 0);
    }
  }
}
