package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ATTRIBUTE;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.POINTER;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * A CK_ATTRIBUTE array built in an arena or a session's scratch memory. Values that may be secret
 * are remembered and zeroed by {@link #wipe()} before the arena frees them.
 */
final class Template {
  private final SegmentAllocator arena;
  private final List<Long> types = new ArrayList<>();
  private final List<MemorySegment> values = new ArrayList<>();
  private final List<MemorySegment> secrets = new ArrayList<>();

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
    secrets.add(segment);
    return add(type, segment);
  }

  private Template add(long type, MemorySegment value) {
    types.add(type);
    values.add(value);
    return this;
  }

  int count() {
    return types.size();
  }

  /** The CK_ATTRIBUTE array, laid out now. */
  MemorySegment segment() {
    MemorySegment array = arena.allocate(CK_ATTRIBUTE, Math.max(1, types.size()));
    long stride = CK_ATTRIBUTE.byteSize();
    for (int i = 0; i < types.size(); i++) {
      long base = i * stride;
      array.set(CK_ULONG, base, types.get(i));
      array.set(POINTER, base + CK_ULONG.byteSize(), values.get(i));
      array.set(
          CK_ULONG, base + CK_ULONG.byteSize() + POINTER.byteSize(), values.get(i).byteSize());
    }
    return array;
  }

  void wipe() {
    secrets.forEach(s -> s.fill((byte) 0));
  }
}
