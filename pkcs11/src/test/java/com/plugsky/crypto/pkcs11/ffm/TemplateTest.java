package com.plugsky.crypto.pkcs11.ffm;

import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ATTRIBUTE;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.CK_ULONG;
import static com.plugsky.crypto.pkcs11.ffm.Cryptoki.POINTER;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class TemplateTest {
  private static final long VALUE_OFFSET = CK_ULONG.byteSize();
  private static final long LENGTH_OFFSET = CK_ULONG.byteSize() + POINTER.byteSize();

  @Test
  void laysOutEveryAttributeInOrderPastTheInitialCapacity() {
    try (Arena arena = Arena.ofConfined()) {
      Template template = new Template(arena);
      for (int i = 0; i < 30; i++) {
        switch (i % 3) {
          case 0 -> template.ulong(i, 1000L + i);
          case 1 -> template.bool(i, i % 2 == 0);
          default -> template.bytes(i, new byte[] {(byte) i, (byte) (i + 1), (byte) (i + 2)});
        }
      }
      MemorySegment array = template.segment();

      assertThat(template.count()).isEqualTo(30);
      for (int i = 0; i < 30; i++) {
        long base = i * CK_ATTRIBUTE.byteSize();
        MemorySegment value = array.get(POINTER, base + VALUE_OFFSET);
        long length = array.get(CK_ULONG, base + LENGTH_OFFSET);
        assertThat(array.get(CK_ULONG, base)).isEqualTo(i);
        switch (i % 3) {
          case 0 -> {
            assertThat(length).isEqualTo(CK_ULONG.byteSize());
            assertThat(value.reinterpret(length).get(CK_ULONG, 0)).isEqualTo(1000L + i);
          }
          case 1 -> {
            assertThat(length).isEqualTo(1);
            byte expected = (byte) (i % 2 == 0 ? 1 : 0);
            assertThat(value.reinterpret(1).get(JAVA_BYTE, 0)).isEqualTo(expected);
          }
          default ->
              assertThat(value.reinterpret(length).toArray(JAVA_BYTE))
                  .containsExactly((byte) i, (byte) (i + 1), (byte) (i + 2));
        }
      }
    }
  }

  @Test
  void wipeZeroesEverySecretValueAndNothingElse() {
    try (Arena arena = Arena.ofConfined()) {
      Template template = new Template(arena).bytes(1, new byte[] {7, 7});
      for (int i = 0; i < 5; i++) {
        template.secret(2 + i, new byte[] {9, 9, 9});
      }
      MemorySegment array = template.segment();

      template.wipe();

      for (int i = 0; i < 6; i++) {
        long base = i * CK_ATTRIBUTE.byteSize();
        long length = array.get(CK_ULONG, base + LENGTH_OFFSET);
        MemorySegment value = array.get(POINTER, base + VALUE_OFFSET).reinterpret(length);
        assertThat(value.toArray(JAVA_BYTE)).containsOnly(i == 0 ? (byte) 7 : (byte) 0);
      }
    }
  }
}
