package com.plugsky.crypto.pkcs11.ffm;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The structure layouts against the offsets and sizes a C compiler gives p11-kit's {@code pkcs11.h}
 * on Linux x86-64 (CK_ULONG and pointers 8 bytes, natural alignment).
 */
class CryptokiLayoutTest {

  @Test
  void fixedSizeStructuresMatchTheCLayout() {
    assertThat(Cryptoki.CK_ATTRIBUTE.byteSize()).isEqualTo(24);
    assertThat(Cryptoki.CK_MECHANISM.byteSize()).isEqualTo(24);
    assertThat(Cryptoki.CK_GCM_PARAMS.byteSize()).isEqualTo(48);
    assertThat(Cryptoki.CK_C_INITIALIZE_ARGS.byteSize()).isEqualTo(48);
    assertThat(Cryptoki.CK_SESSION_INFO.byteSize()).isEqualTo(32);
    assertThat(Cryptoki.CK_MECHANISM_INFO.byteSize()).isEqualTo(24);
    assertThat(Cryptoki.CK_INFO.byteSize()).isEqualTo(88);
    assertThat(Cryptoki.CK_TOKEN_INFO.byteSize()).isEqualTo(208);
  }

  @Test
  void fieldsSitAtTheirCOffsets() {
    assertThat(Cryptoki.CK_INFO.byteOffset(groupElement("flags"))).isEqualTo(40);
    assertThat(Cryptoki.CK_INFO.byteOffset(groupElement("libraryDescription"))).isEqualTo(48);
    assertThat(Cryptoki.CK_TOKEN_INFO.byteOffset(groupElement("flags"))).isEqualTo(96);
    assertThat(Cryptoki.CK_TOKEN_INFO.byteOffset(groupElement("utcTime"))).isEqualTo(188);
    assertThat(Cryptoki.CK_GCM_PARAMS.byteOffset(groupElement("pAAD"))).isEqualTo(24);
    assertThat(Cryptoki.CK_GCM_PARAMS.byteOffset(groupElement("ulTagBits"))).isEqualTo(40);
    assertThat(Cryptoki.CK_C_INITIALIZE_ARGS.byteOffset(groupElement("flags"))).isEqualTo(32);
    assertThat(Cryptoki.CK_SESSION_INFO.byteOffset(groupElement("state"))).isEqualTo(8);
  }

  @Test
  void theFunctionTableHasThe68FunctionsOfVersion2InOrder() {
    assertThat(Cryptoki.FUNCTIONS).hasSize(68).doesNotHaveDuplicates();
    assertThat(Cryptoki.FUNCTIONS.indexOf("C_Initialize")).isZero();
    assertThat(Cryptoki.FUNCTIONS.indexOf("C_Login")).isEqualTo(18);
    assertThat(Cryptoki.FUNCTIONS.indexOf("C_EncryptInit")).isEqualTo(29);
    assertThat(Cryptoki.FUNCTIONS.indexOf("C_GenerateKey")).isEqualTo(58);
    assertThat(Cryptoki.FUNCTIONS.indexOf("C_WaitForSlotEvent")).isEqualTo(67);
    assertThat(Cryptoki.CK_FUNCTION_LIST.byteSize()).isEqualTo(8 + 68 * 8);
  }
}
