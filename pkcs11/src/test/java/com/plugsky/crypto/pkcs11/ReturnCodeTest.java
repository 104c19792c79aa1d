package com.plugsky.crypto.pkcs11;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.MalformedCiphertextException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReturnCodeTest {

  @ParameterizedTest
  @EnumSource(ReturnCode.class)
  void everyCodeBecomesATypedExceptionThatNamesItAndCarriesIt(ReturnCode code) {
    CryptoException failure = ReturnCode.failure("C_Sign", code.value(), "token hsm1");

    assertThat(failure.getMessage())
        .startsWith("C_Sign failed: " + code.name() + " (0x")
        .endsWith("(token hsm1)");
    assertThat(ReturnCode.of(failure)).contains(code);
    assertThat(ReturnCode.forValue(code.value())).contains(code);
  }

  @Test
  void valuesAreUniqueAndFollowTheOasisHeaders() {
    assertThat(Arrays.stream(ReturnCode.values()).map(ReturnCode::value)).doesNotHaveDuplicates();
    assertThat(ReturnCode.CKR_PIN_INCORRECT.value()).isEqualTo(0xA0);
    assertThat(ReturnCode.CKR_AEAD_DECRYPT_FAILED.value()).isEqualTo(0x42);
    assertThat(ReturnCode.CKR_EXCEEDED_MAX_ITERATIONS.value()).isEqualTo(0x1B5);
    assertThat(ReturnCode.CKR_PUBLIC_KEY_INVALID.value()).isEqualTo(0x1B9);
    assertThat(ReturnCode.CKR_PARAMETER_SET_NOT_SUPPORTED.value()).isEqualTo(0x209);
  }

  @Test
  void onlyCodesThatRefuseThePinItselfEndLogins() {
    assertThat(Arrays.stream(ReturnCode.values()).filter(ReturnCode::refusesPin))
        .containsExactlyInAnyOrder(
            ReturnCode.CKR_PIN_INCORRECT,
            ReturnCode.CKR_PIN_INVALID,
            ReturnCode.CKR_PIN_LEN_RANGE,
            ReturnCode.CKR_PIN_LOCKED);
  }

  @Test
  void codesAreSortedIntoTheKindsCallersHandle() {
    assertThat(failure(ReturnCode.CKR_PIN_INCORRECT)).isInstanceOf(KeyAccessDeniedException.class);
    assertThat(failure(ReturnCode.CKR_KEY_FUNCTION_NOT_PERMITTED))
        .isInstanceOf(KeyAccessDeniedException.class);
    assertThat(failure(ReturnCode.CKR_DEVICE_REMOVED)).isInstanceOf(KeyUnavailableException.class);
    assertThat(failure(ReturnCode.CKR_SESSION_HANDLE_INVALID).isRetryable()).isTrue();
    assertThat(failure(ReturnCode.CKR_ENCRYPTED_DATA_INVALID))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(failure(ReturnCode.CKR_WRAPPED_KEY_INVALID))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(failure(ReturnCode.CKR_WRAPPED_KEY_LEN_RANGE))
        .isInstanceOf(MalformedCiphertextException.class);
    assertThat(failure(ReturnCode.CKR_ARGUMENTS_BAD))
        .isExactlyInstanceOf(InvalidInputException.class);
    assertThat(failure(ReturnCode.CKR_MECHANISM_INVALID))
        .isInstanceOf(ConfigurationException.class);
    assertThat(failure(ReturnCode.CKR_MECHANISM_INVALID).isRetryable()).isFalse();
  }

  @Test
  void vendorAndUnknownCodesAreNamedByValueAndTreatedAsUnavailable() {
    CryptoException vendor =
        ReturnCode.failure("C_Encrypt", ReturnCode.CKR_VENDOR_DEFINED + 0x12, "");

    assertThat(vendor)
        .isInstanceOf(KeyUnavailableException.class)
        .hasMessage("C_Encrypt failed: CKR_VENDOR_DEFINED+0x12");
    assertThat(ReturnCode.of(vendor)).isEmpty();
    assertThat(ReturnCode.describe(0x4242)).isEqualTo("unknown CK_RV 0x4242");
  }

  private static CryptoException failure(ReturnCode code) {
    return ReturnCode.failure("C_X", code.value(), "");
  }
}
