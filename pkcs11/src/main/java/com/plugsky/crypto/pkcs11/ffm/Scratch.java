package com.plugsky.crypto.pkcs11.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Native memory that one session keeps for the calls made on it: the mechanism, its parameters,
 * the IV, the input and the output of an operation are slices of it instead of a malloc and free
 * each per call. Slices are handed out in order and all given back at once by {@link #release()},
 * which zeroes the bytes the call used (plaintext, outputs, secret values), so memory here is zero
 * between calls and a slice starts zeroed as an arena's would. What does not fit comes from a
 * confined arena that {@link #release()} zeroes and frees.
 *
 * <p>Not thread-safe: the session it belongs to is used by one call at a time, and the pool's
 * hand-over of the session orders the calls of different threads.
 */
final class Scratch implements SegmentAllocator {
  /** Room for a few KiB of input and output besides the structures of one operation. */
  static final long DEFAULT_BYTES = 16 * 1024;

  private static final long ALIGNMENT = 16;

  private final Arena arena;
  private final MemorySegment memory;
  private long used;
  private Arena overflow;
  private List<MemorySegment> overflowed;

  Scratch(long bytes) {
    // Shared: the session, and so this memory, moves between the threads that borrow it.
    this.arena = Arena.ofShared();
    this.memory = arena.allocate(bytes, ALIGNMENT);
  }

  @Override
  public MemorySegment allocate(long byteSize, long byteAlignment) {
    if (byteAlignment <= ALIGNMENT) {
      long start = (used + byteAlignment - 1) & -byteAlignment;
      if (byteSize <= memory.byteSize() - start) {
        used = start + byteSize;
        return memory.asSlice(start, byteSize);
      }
    }
    if (overflow == null) {
      overflow = Arena.ofConfined();
      overflowed = new ArrayList<>();
    }
    MemorySegment segment = overflow.allocate(byteSize, byteAlignment);
    overflowed.add(segment);
    return segment;
  }

  /** A copy of {@code elements}, without the layout arithmetic of the default implementation. */
  @Override
  public MemorySegment allocateFrom(ValueLayout.OfByte layout, byte... elements) {
    MemorySegment segment = allocate(elements.length, layout.byteAlignment());
    MemorySegment.copy(elements, 0, segment, layout, 0, elements.length);
    return segment;
  }

  /** Bytes of the fixed memory handed out since the last release. */
  long used() {
    return used;
  }

  /** Whether this call's allocations went past the fixed memory. */
  boolean overflowed() {
    return overflow != null;
  }

  /** Ends a call: zeroes what it used and frees what did not fit. */
  void release() {
    memory.asSlice(0, used).fill((byte) 0);
    used = 0;
    if (overflow != null) {
      overflowed.forEach(segment -> segment.fill((byte) 0));
      overflow.close();
      overflow = null;
      overflowed = null;
    }
  }

  /** Frees the memory, with the session it belonged to. */
  void free() {
    release();
    arena.close();
  }
}
