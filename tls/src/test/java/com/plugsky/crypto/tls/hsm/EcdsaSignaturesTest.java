package com.plugsky.crypto.tls.hsm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EcdsaSignaturesTest {
  @ParameterizedTest
  @CsvSource({"secp256r1, SHA256", "secp384r1, SHA384", "secp521r1, SHA512"})
  void derFromP1363VerifiesWithTheJdk(String curve, String hash) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve));
    KeyPair keys = generator.generateKeyPair();
    byte[] data = "certificate verify".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    for (int i = 0; i < 200; i++) {
      Signature p1363 = Signature.getInstance(hash + "withECDSAinP1363Format");
      p1363.initSign(keys.getPrivate());
      p1363.update(data);

      byte[] der = EcdsaSignatures.p1363ToDer(p1363.sign());

      Signature verifier = Signature.getInstance(hash + "withECDSA");
      verifier.initVerify(keys.getPublic());
      verifier.update(data);
      assertThat(verifier.verify(der)).isTrue();
    }
  }

  @Test
  void stripsLeadingZerosAndPadsHighBits() {
    byte[] p1363 = HexFormat.of().parseHex("0000" + "80".repeat(30) + "7f" + "00".repeat(31));

    assertThat(HexFormat.of().formatHex(EcdsaSignatures.p1363ToDer(p1363)))
        .isEqualTo("3043" + "021f00" + "80".repeat(30) + "0220" + "7f" + "00".repeat(31));
    assertThat(HexFormat.of().formatHex(EcdsaSignatures.p1363ToDer(new byte[64])))
        .isEqualTo("3006020100020100");
  }

  @Test
  void refusesOddLengths() {
    assertThatThrownBy(() -> EcdsaSignatures.p1363ToDer(new byte[63])).isInstanceOf(IllegalArgumentException.class);
  }
}
