package com.plugsky.crypto.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BytesTest {
  private static final byte[] FIELD = {1, 2, 3, 4};
  private static final byte[] HEADER = {9, 9, 1, 2, 3, 4, 7};

  @Test
  void rangesCompareWhereTheyLie() {
    assertThat(Bytes.constantTimeEquals(FIELD, 0, HEADER, 2, 4)).isTrue();
    assertThat(Bytes.constantTimeEquals(FIELD, 1, HEADER, 3, 3)).isTrue();
    assertThat(Bytes.constantTimeEquals(FIELD, 0, HEADER, 1, 4)).isFalse();
    assertThat(Bytes.constantTimeEquals(FIELD, 0, HEADER, 3, 4)).as("last byte differs").isFalse();
    assertThat(Bytes.constantTimeEquals(FIELD, 0, HEADER, 0, 0)).as("nothing to compare").isTrue();
  }

  @Test
  void rangesOutsideTheArraysAreRefused() {
    assertThatThrownBy(() -> Bytes.constantTimeEquals(FIELD, 1, HEADER, 0, 4))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> Bytes.constantTimeEquals(FIELD, 0, HEADER, 4, 4))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
