package com.plugsky.crypto.pkcs11.ffm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.KeyUnavailableException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The probe's decision, on stand-ins for a token: SoftHSM2 does CKM_AES_KEY_WRAP_PAD, and no token
 * that lists the mechanism but refuses the call is at hand, so the refusing side is simulated here
 * and the working side is also run on SoftHSM2 (HsmContractIT).
 */
class KeyWrapProbeTest {
  private static final UnaryOperator<byte[]> IDENTITY = bytes -> bytes.clone();

  @Test
  void answersNothingWhenTheRoundTripGivesTheSecretBack() {
    assertThat(KeyWrapProbe.refusal(IDENTITY, IDENTITY)).isEmpty();
  }

  @Test
  void namesTheRefusalWhenTheTokenRefusesTheWrap() {
    UnaryOperator<byte[]> refused =
        bytes -> {
          throw new ConfigurationException("C_WrapKey failed: CKR_MECHANISM_INVALID (0x70)");
        };

    assertThat(KeyWrapProbe.refusal(refused, IDENTITY))
        .hasValueSatisfying(
            reason -> assertThat(reason).contains("refused a trial", "CKR_MECHANISM_INVALID"));
  }

  @Test
  void namesAnUnwrapThatDoesNotGiveTheSecretBack() {
    assertThat(KeyWrapProbe.refusal(IDENTITY, bytes -> new byte[bytes.length]))
        .hasValueSatisfying(reason -> assertThat(reason).contains("did not give back"));
  }

  @Test
  void throwsATokenThatWentAwayInsteadOfAnsweringForIt() {
    UnaryOperator<byte[]> lost =
        bytes -> {
          throw new KeyUnavailableException("C_WrapKey failed: CKR_DEVICE_REMOVED (0x32)");
        };

    assertThatThrownBy(() -> KeyWrapProbe.refusal(lost, IDENTITY))
        .isInstanceOf(KeyUnavailableException.class);
  }
}
