package com.plugsky.crypto.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LastEncodedContextTest {
  private static final EncryptionContext ACME = EncryptionContext.of("tenant", "acme");
  private static final EncryptionContext GLOBEX = EncryptionContext.of("tenant", "globex");

  @Test
  void theSameObjectGetsTheKeptArrayAndAnyOtherItsOwnEncoding() {
    LastEncodedContext last = new LastEncodedContext();
    byte[] first = last.encodingOf(ACME);

    assertThat(first).isEqualTo(ACME.encoded());
    assertThat(last.encodingOf(ACME)).isSameAs(first);
    assertThat(last.encodingOf(EncryptionContext.of("tenant", "acme")))
        .isNotSameAs(first)
        .isEqualTo(first);
    assertThat(last.encodingOf(GLOBEX)).isEqualTo(GLOBEX.encoded());
    assertThat(last.encodingOf(ACME)).isEqualTo(ACME.encoded());
  }

  @Test
  void aMissingContextIsNamed() {
    assertThatThrownBy(() -> new LastEncodedContext().encodingOf(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("context");
  }

  /** Threads keep their own: one thread's context never answers another's. */
  @Test
  void threadsTakingContextsInTurnEachGetTheirOwnContextsEncoding() throws Exception {
    LastEncodedContext last = new LastEncodedContext();
    List<EncryptionContext> contexts = List.of(ACME, GLOBEX, EncryptionContext.empty());
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results =
          threads.invokeAll(
              List.of(
                  () -> allRight(last, contexts, 0),
                  () -> allRight(last, contexts, 1),
                  () -> allRight(last, contexts, 2),
                  () -> allRight(last, contexts, 0)));
      for (Future<Boolean> result : results) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static boolean allRight(
      LastEncodedContext last, List<EncryptionContext> contexts, int from) {
    for (int i = 0; i < 20_000; i++) {
      EncryptionContext context = contexts.get((from + i) % contexts.size());
      if (!Arrays.equals(last.encodingOf(context), context.encoded())) {
        return false;
      }
    }
    return true;
  }
}
