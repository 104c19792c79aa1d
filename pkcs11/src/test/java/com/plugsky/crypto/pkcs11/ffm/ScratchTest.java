package com.plugsky.crypto.pkcs11.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScratchTest {
  private final Scratch scratch = new Scratch(256);

  @AfterEach
  void free() {
    scratch.free();
  }

  @Test
  void handsOutAlignedZeroedSlicesOfOneBlockAndReusesItAfterRelease() {
    MemorySegment first = scratch.allocate(3);
    MemorySegment word = scratch.allocate(JAVA_LONG);
    first.fill((byte) 0x5A);
    word.set(JAVA_LONG, 0, -1L);

    assertThat(word.address() % 8).isZero();
    assertThat(word.address()).isGreaterThanOrEqualTo(first.address() + 3);
    assertThat(scratch.used()).isEqualTo(16);
    scratch.release();

    MemorySegment again = scratch.allocate(64);
    assertThat(again.address()).isEqualTo(first.address());
    assertThat(again.toArray(JAVA_BYTE)).containsOnly(0);
  }

  @Test
  void zeroesWhatACallWroteWhateverSizesFollow() {
    for (int size : new int[] {200, 8, 256, 1, 129}) {
      MemorySegment slice = scratch.allocateFrom(JAVA_BYTE, filled(size));
      assertThat(slice.toArray(JAVA_BYTE)).isEqualTo(filled(size));
      scratch.release();
      assertThat(scratch.used()).isZero();
      assertThat(scratch.allocate(256).toArray(JAVA_BYTE)).containsOnly(0);
      scratch.release();
    }
  }

  @Test
  void takesWhatDoesNotFitFromAnOverflowArenaThatReleaseZeroesAndFrees() {
    MemorySegment small = scratch.allocate(200);
    MemorySegment large = scratch.allocateFrom(JAVA_BYTE, filled(1000));
    MemorySegment afterLarge = scratch.allocate(40);

    assertThat(scratch.overflowed()).isTrue();
    assertThat(large.byteSize()).isEqualTo(1000);
    assertThat(large.toArray(JAVA_BYTE)).isEqualTo(filled(1000));
    assertThat(afterLarge.address()).isEqualTo(small.address() + 200);
    scratch.release();

    assertThat(scratch.overflowed()).isFalse();
    assertThat(large.scope().isAlive()).isFalse();
    assertThat(scratch.allocate(256).toArray(JAVA_BYTE)).containsOnly(0);
  }

  @Test
  void freeingEndsTheMemory() {
    Scratch other = new Scratch(64);
    MemorySegment slice = other.allocate(8);

    other.free();

    assertThat(slice.scope().isAlive()).isFalse();
  }

  private static byte[] filled(int size) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, (byte) 0xA5);
    return bytes;
  }
}
