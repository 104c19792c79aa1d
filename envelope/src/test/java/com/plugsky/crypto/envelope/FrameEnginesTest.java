package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FIPS case runs in {@link FipsModeTest}, whose JVM has the approved engine. */
class FrameEnginesTest {
  private static final int SMALL = FrameEngines.SMALL_MESSAGE_LIMIT;

  @TempDir Path keys;

  private final AeadEngine jdk = Engines.named("jdk");

  @AfterEach
  void clearForcedEngine() {
    System.clearProperty(Engines.ENGINE_PROPERTY);
  }

  @Test
  void theLibrarysOwnChoiceSealsSmallMessagesOnConscryptAndLargerOnesOnItself() {
    FrameEngines engines = FrameEngines.of(jdk, false);

    assertThat(engines.forMessage(0).name()).isEqualTo("conscrypt");
    assertThat(engines.forMessage(SMALL).name()).isEqualTo("conscrypt");
    assertThat(engines.forMessage(SMALL + 1)).isSameAs(jdk);
  }

  @Test
  void anEngineTheCallerChoseServesEveryMessage() {
    FrameEngines engines = FrameEngines.of(jdk, true);

    assertThat(engines.forMessage(1024)).isSameAs(jdk);
    assertThat(engines.forMessage(1 << 20)).isSameAs(jdk);
  }

  @Test
  void anEngineForcedByThePropertyServesEveryMessage() {
    System.setProperty(Engines.ENGINE_PROPERTY, "jdk");

    assertThat(FrameEngines.of(jdk, false).forMessage(1024)).isSameAs(jdk);
  }

  @Test
  void messagesSealedOnEitherSideOfTheLimitOpenOnAnEngineChosenByTheCaller() {
    EncryptionContext context = EncryptionContext.of("tenant", "acme");
    Envelope sealing = TestKeks.envelope(keys, "orders").build();
    Envelope opening = TestKeks.envelope(keys, "orders").engine(Engines.named("native")).build();
    for (int length : new int[] {0, 1024, SMALL, SMALL + 1, 70_000}) {
      byte[] plaintext = new byte[length];
      java.util.Arrays.fill(plaintext, (byte) length);

      assertThat(opening.decrypt(sealing.encrypt(plaintext, context), context))
          .as("%d bytes", length)
          .isEqualTo(plaintext);
    }
  }
}
