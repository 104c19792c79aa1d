package com.plugsky.crypto.keywrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyWrapperDefaultsTest {
  private static final KeyRef FIRST = KeyRef.parse("local:first");
  private static final KeyRef SECOND = KeyRef.parse("local:second");
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  @TempDir Path keys;
  private KeyWrapper wrapper;

  @BeforeEach
  void setUp() {
    wrapper = LocalKeyWrapper.builder().keyDirectory(keys).build();
  }

  @Test
  void generatedDataKeyUnwrapsToItsPlaintext() {
    try (DataKey dataKey = wrapper.generateDataKey(FIRST, 32, CONTEXT)) {
      assertThat(dataKey.wrappedKey().keyRef()).isEqualTo(FIRST);
      assertThat(wrapper.unwrap(dataKey.wrappedKey(), CONTEXT))
          .isEqualTo(dataKey.plaintextKey())
          .hasSize(32);
    }
  }

  @Test
  void generatedDataKeysDiffer() {
    try (DataKey a = wrapper.generateDataKey(FIRST, 32, CONTEXT);
        DataKey b = wrapper.generateDataKey(FIRST, 32, CONTEXT)) {
      assertThat(a.plaintextKey()).isNotEqualTo(b.plaintextKey());
    }
  }

  @Test
  void closedDataKeyRefusesItsPlaintext() {
    DataKey dataKey = wrapper.generateDataKey(FIRST, 32, CONTEXT);
    dataKey.close();
    assertThatThrownBy(dataKey::plaintextKey).isInstanceOf(IllegalStateException.class);
    assertThat(dataKey.toString()).doesNotContain("plaintext").contains("32 bytes");
  }

  @Test
  void dataKeyLengthIsChecked() {
    assertThatThrownBy(() -> wrapper.generateDataKey(FIRST, 8, CONTEXT))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void rewrapMovesTheDataKeyUnderTheTargetKey() {
    try (DataKey dataKey = wrapper.generateDataKey(FIRST, 32, CONTEXT)) {
      WrappedKey moved = wrapper.rewrap(dataKey.wrappedKey(), SECOND, CONTEXT);
      assertThat(moved.keyRef()).isEqualTo(SECOND);
      assertThat(wrapper.unwrap(moved, CONTEXT)).isEqualTo(dataKey.plaintextKey());
    }
  }

  @Test
  void rewrapNeedsTheWrappingContext() {
    try (DataKey dataKey = wrapper.generateDataKey(FIRST, 32, CONTEXT)) {
      assertThatThrownBy(
              () ->
                  wrapper.rewrap(
                      dataKey.wrappedKey(), SECOND, EncryptionContext.of("tenant", "other")))
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }
}
