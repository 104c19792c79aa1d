package com.plugsky.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs only in the surefire execution that starts the JVM with {@code -Dplugsky.crypto.fips=true}
 * and BC-FIPS in approved-only mode (envelope/pom.xml): envelopes then run on the approved engine,
 * local wrapping included, and their messages stay readable by every other engine.
 */
@Tag("fips-approved-only")
class FipsModeTest {
  private static final EncryptionContext CONTEXT = EncryptionContext.of("tenant", "acme");

  @TempDir Path keys;

  @Test
  void envelopesRunOnTheApprovedEngineInTheSameFormat() {
    byte[] plaintext = new byte[100];
    Envelope fips = TestKeks.envelope(keys, "orders").frameSize(16).build();
    Envelope jdk = TestKeks.envelope(keys, "orders").engine(Engines.named("jdk")).build();

    byte[] message = fips.encrypt(plaintext, CONTEXT);

    assertThat(Engines.defaultEngine().name()).isEqualTo("bc-fips");
    assertThat(fips.decrypt(message, CONTEXT)).isEqualTo(plaintext);
    assertThat(jdk.decrypt(message, CONTEXT)).isEqualTo(plaintext);
    assertThat(fips.decrypt(jdk.encrypt(plaintext, CONTEXT), CONTEXT)).isEqualTo(plaintext);
  }

  @Test
  void randomBytesComeFromTheJdksDrbgThoughLibcryptosIsOnTheClassPath() {
    assertThat(CryptoRandom.poolSource()).isEqualTo("the JDK's DRBG");
  }

  @Test
  void streamFramesStayOnTheApprovedEngine() throws IOException {
    Envelope fips = TestKeks.envelope(keys, "orders").build();
    byte[] plaintext = new byte[200_000];
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    try (OutputStream encrypting = fips.encryptingStream(out, CONTEXT)) {
      encrypting.write(plaintext);
    }

    assertThat(fips.streamEngine(64 * 1024).name()).isEqualTo("bc-fips");
    try (InputStream in =
        fips.decryptingStream(new ByteArrayInputStream(out.toByteArray()), CONTEXT)) {
      assertThat(in.readAllBytes()).isEqualTo(plaintext);
    }
  }

  @Test
  void smallMessagesStayOnTheApprovedEngineThoughConscryptIsThere() {
    assertThat(Engines.available()).extracting(e -> e.name()).contains("conscrypt");

    FrameEngines engines = FrameEngines.of(Engines.defaultEngine(), false);

    assertThat(engines.forMessage(0).name()).isEqualTo("bc-fips");
    assertThat(engines.forMessage(1024).name()).isEqualTo("bc-fips");
  }
}
