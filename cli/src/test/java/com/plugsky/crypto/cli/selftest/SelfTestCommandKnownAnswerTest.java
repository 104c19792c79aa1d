package com.plugsky.crypto.cli.selftest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.aead.InsecureRawGcm;
import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.EngineStatus;
import com.plugsky.crypto.engine.Engines;
import com.plugsky.crypto.engine.KnownAnswerTest;
import com.plugsky.crypto.primitive.KeyWrapMode;
import com.plugsky.crypto.primitive.SymmetricPrimitives;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class SelfTestCommandKnownAnswerTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int selftest(List<EngineStatus> engines) {
    return new CommandLine(new SelfTestCommand(() -> engines))
        .setOut(new PrintWriter(out, true))
        .setErr(new PrintWriter(err, true))
        .execute();
  }

  @Test
  void anEngineThatFailsItsKnownAnswerTestFailsTheSelftest() {
    AeadEngine broken = new WrongHmacEngine(Engines.named("jdk"));
    Throwable failure = catchThrowable(() -> KnownAnswerTest.run(broken));
    List<EngineStatus> engines = new ArrayList<>(Engines.status());
    engines.add(new EngineStatus(broken.name(), false, Optional.of(failure)));

    assertThat(selftest(engines)).isEqualTo(1);
    assertThat(err.toString())
        .contains(
            "plugsky-crypto selftest: engine 'wrong-hmac' failed its self-test: HMAC-SHA256"
                + " known answer");
    assertThat(out.toString()).endsWith("selftest: FAIL\n");
  }

  @Test
  void anEngineWhoseLibraryIsMissingIsOnlyReported() {
    List<EngineStatus> engines = new ArrayList<>(Engines.status());
    engines.add(
        new EngineStatus(
            "absent",
            false,
            Optional.of(new UnsatisfiedLinkError("no libabsent in java.library.path"))));

    assertThat(selftest(engines)).isZero();
    assertThat(out.toString())
        .contains("absent: unavailable (no libabsent in java.library.path)")
        .endsWith("selftest: PASS\n");
    assertThat(err.toString()).isEmpty();
  }

  /** The JDK engine with one wrong answer: its HMAC-SHA256 tags have a bit flipped. */
  private record WrongHmacEngine(AeadEngine real) implements AeadEngine {
    @Override
    public String name() {
      return "wrong-hmac";
    }

    @Override
    public boolean isFipsApproved() {
      return false;
    }

    @Override
    public Aead newAead(byte[] key) {
      return real.newAead(key);
    }

    @Override
    public InsecureRawGcm insecureRawGcm() {
      return real.insecureRawGcm();
    }

    @Override
    public SymmetricPrimitives primitives() {
      SymmetricPrimitives primitives = real.primitives();
      return new SymmetricPrimitives() {
        @Override
        public boolean supports(KeyWrapMode mode) {
          return primitives.supports(mode);
        }

        @Override
        public byte[] wrapKey(KeyWrapMode mode, byte[] kek, byte[] keyData) {
          return primitives.wrapKey(mode, kek, keyData);
        }

        @Override
        public byte[] unwrapKey(KeyWrapMode mode, byte[] kek, byte[] wrapped) {
          return primitives.unwrapKey(mode, kek, wrapped);
        }

        @Override
        public byte[] hmacSha256(byte[] key, byte[] message) {
          byte[] tag = primitives.hmacSha256(key, message);
          tag[0] ^= 1;
          return tag;
        }

        @Override
        public byte[] hkdfSha256(byte[] inputKeyMaterial, byte[] salt, byte[] info, int length) {
          return primitives.hkdfSha256(inputKeyMaterial, salt, info, length);
        }
      };
    }
  }
}
