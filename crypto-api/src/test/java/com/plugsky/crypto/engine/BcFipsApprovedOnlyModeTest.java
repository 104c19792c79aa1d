package com.plugsky.crypto.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs only in the surefire execution that starts the JVM with
 * {@code -Dorg.bouncycastle.fips.approved_only=true} (see crypto-api/pom.xml).
 */
@Tag("fips-approved-only")
class BcFipsApprovedOnlyModeTest {

  @Test
  void bcFipsIsTheOnlyApprovedEngineAndTheFipsPolicyDefaultsToIt() {
    assertThat(Engines.fips()).extracting(AeadEngine::name).containsExactly("bc-fips");
    System.setProperty(Engines.FIPS_PROPERTY, "true");
    try {
      assertThat(Engines.defaultEngine().name()).isEqualTo("bc-fips");
    } finally {
      System.clearProperty(Engines.FIPS_PROPERTY);
    }
    assertThat(Engines.status())
        .filteredOn(status -> status.name().equals("bc-fips"))
        .singleElement()
        .satisfies(status -> assertThat(status.describe()).isEqualTo("bc-fips: available, FIPS approved-only"));
  }

  @Test
  void theModuleGeneratesNoncesThatStillRoundTrip() {
    try (Aead aead = Engines.named("bc-fips").newAead(CryptoRandom.bytes(32))) {
      byte[] aad = {1, 2, 3};
      byte[] first = aead.encrypt(new byte[100], aad);
      byte[] second = aead.encrypt(new byte[100], aad);
      assertThat(java.util.Arrays.copyOf(first, Aead.NONCE_LENGTH))
          .isNotEqualTo(java.util.Arrays.copyOf(second, Aead.NONCE_LENGTH));
      assertThat(aead.decrypt(first, aad)).isEqualTo(new byte[100]);

      ByteBuffer sealed = ByteBuffer.allocateDirect(100 + Aead.OVERHEAD);
      aead.encrypt(ByteBuffer.allocateDirect(100), aad, sealed);
      ByteBuffer opened = ByteBuffer.allocate(100);
      aead.decrypt(sealed.flip(), aad, opened);
      assertThat(opened.position()).isEqualTo(100);
    }
  }
}
