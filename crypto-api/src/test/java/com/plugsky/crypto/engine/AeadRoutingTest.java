package com.plugsky.crypto.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.aead.Aead;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class AeadRoutingTest {

  private static List<AeadEngine> engines(String... names) {
    return java.util.Arrays.stream(names).map(Engines::named).toList();
  }

  @Test
  void routesBySizeAndBufferKindToTheFirstAvailablePreference() {
    AeadRouting routing = AeadRouting.over(engines("jdk", "accp", "conscrypt", "bc-fips"));
    assertThat(routing.engineFor(64, false).name()).isEqualTo("jdk");
    assertThat(routing.engineFor(AeadRouting.SMALL_ARRAY_LIMIT, false).name()).isEqualTo("jdk");
    assertThat(routing.engineFor(AeadRouting.LARGE_ARRAY_FROM - 1, false).name()).isEqualTo("jdk");
    assertThat(routing.engineFor(AeadRouting.LARGE_ARRAY_FROM, false).name()).isEqualTo("accp");
    assertThat(routing.engineFor(1 << 20, false).name()).isEqualTo("accp");
    assertThat(routing.engineFor(64, true).name()).isEqualTo("accp");
    assertThat(routing.engineFor(AeadRouting.DIRECT_CROSSOVER, true).name()).isEqualTo("conscrypt");
    assertThat(routing.describe()).containsExactly(
        "byte[] under 256 B: jdk",
        "byte[] 256 B to 64 KiB: jdk",
        "byte[] from 64 KiB: accp",
        "direct buffers under 8 KiB: accp",
        "direct buffers from 8 KiB: conscrypt");
  }

  @Test
  void largeArraysGoToAStandInUntilTheJdkIsWarmThenToTheJdk() throws InterruptedException {
    AeadRouting routing = AeadRouting.warmingUp(engines("jdk", "bc-fips"));
    assertThat(routing.engines()).extracting(AeadEngine::name).contains("jdk", "bc-fips");
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
    while (routing.engineFor(1 << 20, false).name().equals("bc-fips") && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(routing.engineFor(1 << 20, false).name()).isEqualTo("jdk");
    assertThat(routing.engineFor(64, false).name()).isEqualTo("jdk");
    assertThat(routing.describe()).contains("byte[] from 64 KiB: jdk");
  }

  @Test
  void aRoutedAeadServesEachCallFromItsRuleAndTheStandInWhileTheJdkIsCold() throws InterruptedException {
    AeadRouting routing = AeadRouting.warmingUp(engines("jdk", "accp", "conscrypt"));
    try (RoutedAead routed = new RoutedAead(routing, CryptoRandom.bytes(32))) {
      ByteBuffer heap = ByteBuffer.allocate(16);
      ByteBuffer direct = ByteBuffer.allocateDirect(16);
      assertThat(routed.forBuffers(64, direct, direct).engineName()).isEqualTo("accp");
      assertThat(routed.forBuffers(1 << 20, direct, heap).engineName()).isEqualTo("conscrypt");
      assertThat(routed.forArray(1 << 20).engineName()).isEqualTo("accp");
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (!routing.jdkWarm() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(routed.forArray(64).engineName()).isEqualTo("jdk");
      assertThat(routed.forArray(4096).engineName()).isEqualTo("jdk");
      assertThat(routed.forBuffers(4096, heap, heap).engineName()).isEqualTo("jdk");
      assertThat(routed.forArray(1 << 20).engineName()).isEqualTo("accp");
    }
  }

  @Test
  void whileTheJdkWarmsUpShortMessagesGoToOpenSslAndLongOnesToAccp() {
    AeadEngine openSsl = new Renamed("native", Engines.named("jdk"));
    AeadRouting routing = AeadRouting.warmingUp(List.of(Engines.named("jdk"), openSsl, Engines.named("accp")));

    assertThat(routing.standInFor(1024)).isSameAs(openSsl);
    assertThat(routing.standInFor(AeadRouting.STAND_IN_CROSSOVER - 1)).isSameAs(openSsl);
    assertThat(routing.standInFor(AeadRouting.STAND_IN_CROSSOVER).name()).isEqualTo("accp");
    assertThat(routing.engines()).extracting(AeadEngine::name).contains("jdk", "native", "accp");
  }

  @Test
  void oneStandInServesAllSizesWhenOnlyOneIsPresent() {
    AeadRouting routing = AeadRouting.warmingUp(engines("jdk", "bc-fips"));

    assertThat(routing.standInFor(64).name()).isEqualTo("bc-fips");
    assertThat(routing.standInFor(1 << 20).name()).isEqualTo("bc-fips");
  }

  @Test
  void noWarmUpWhenNothingCouldStandInForTheJdk() {
    AeadRouting routing = AeadRouting.warmingUp(engines("jdk"));
    assertThat(routing.engineFor(1 << 20, false).name()).isEqualTo("jdk");
  }

  @Test
  void fallsBackToWhateverIsAvailable() {
    AeadRouting routing = AeadRouting.over(engines("bc-fips"));
    assertThat(routing.engineFor(64, true).name()).isEqualTo("bc-fips");
    assertThat(routing.engines()).extracting(AeadEngine::name).containsExactly("bc-fips");
  }

  @Test
  void aRoutedAeadOpensWhatAnyOfItsEnginesSealed() {
    byte[] key = CryptoRandom.bytes(32);
    AeadRouting routing = AeadRouting.over(engines("jdk", "accp", "conscrypt"));
    try (Aead routed = new RoutedAead(routing, key); Aead jdk = Engines.named("jdk").newAead(key)) {
      assertThat(routed.engineName()).isEqualTo("routed(jdk|accp|conscrypt)");
      for (int size : new int[] {0, 100, 511, 512, 9000, 70000}) {
        byte[] plaintext = CryptoRandom.bytes(size);
        assertThat(jdk.decrypt(routed.encrypt(plaintext, new byte[0]), new byte[0])).isEqualTo(plaintext);
        assertThat(routed.decrypt(jdk.encrypt(plaintext, new byte[0]), new byte[0])).isEqualTo(plaintext);

        ByteBuffer sealed = ByteBuffer.allocateDirect(size + Aead.OVERHEAD);
        routed.encrypt(ByteBuffer.allocateDirect(size).put(plaintext).flip(), new byte[0], sealed);
        byte[] opened = jdk.decrypt(toArray(sealed.flip()), new byte[0]);
        assertThat(opened).isEqualTo(plaintext);
      }
      byte[] forged = routed.encrypt(new byte[10_000], new byte[0]);
      forged[20] ^= 1;
      assertThatThrownBy(() -> routed.decrypt(forged, new byte[0])).isInstanceOf(AuthenticationFailedException.class);
    }
  }

  @Test
  void theDefaultAeadIsRoutedAcrossTheEnginesPresent() {
    try (Aead aead = Engines.newAead(CryptoRandom.bytes(32))) {
      assertThat(aead.engineName()).startsWith("routed(").contains("jdk");
      assertThat(aead.decrypt(aead.encrypt(new byte[3], new byte[0]), new byte[0])).hasSize(3);
    }
  }

  @Test
  void aClosedRoutedAeadClosesEveryEngine() {
    Aead routed = new RoutedAead(AeadRouting.over(engines("jdk", "accp")), CryptoRandom.bytes(32));
    routed.close();
    assertThatThrownBy(() -> routed.encrypt(new byte[1], new byte[0])).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> routed.encrypt(new byte[4096], new byte[0])).isInstanceOf(IllegalStateException.class);
  }

  /** Another engine under a routing name, to place an engine this module cannot load. */
  private record Renamed(String name, AeadEngine delegate) implements AeadEngine {
    @Override
    public boolean isFipsApproved() {
      return false;
    }

    @Override
    public Aead newAead(byte[] key) {
      return delegate.newAead(key);
    }

    @Override
    public com.plugsky.crypto.aead.InsecureRawGcm insecureRawGcm() {
      return delegate.insecureRawGcm();
    }

    @Override
    public com.plugsky.crypto.primitive.SymmetricPrimitives primitives() {
      return delegate.primitives();
    }
  }

  private static byte[] toArray(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.get(bytes);
    return bytes;
  }
}
