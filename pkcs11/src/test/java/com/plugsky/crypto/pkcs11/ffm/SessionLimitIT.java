package com.plugsky.crypto.pkcs11.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig.Backend;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code HsmConfig.maxSessions} is the most sessions a backend with a pool of its own has open on
 * the token at once, key management and key operations together, counted on the token while several
 * threads call.
 */
class SessionLimitIT {
  private static final int THREADS = 6;
  private static final int ROUNDS = 200;

  @ParameterizedTest
  @CsvSource({"FFM, 1", "FFM, 2", "IAIK, 1", "IAIK, 2"})
  void keepsAtMostMaxSessionsOpenUnderConcurrentCalls(Backend backend, int maxSessions)
      throws Throwable {
    SoftHsm fixture = SoftHsm.get();
    Cryptoki module = Cryptoki.load(SoftHsm.MODULE);
    long slot = TokenDirectory.slotOf(SoftHsm.MODULE, SoftHsm.SESSIONS_TOKEN);
    int most = 0;
    try (Hsm hsm =
            Hsm.open(
                fixture
                    .config(SoftHsm.SESSIONS_TOKEN)
                    .backend(backend)
                    .maxSessions(maxSessions)
                    .build());
        ExecutorService threads = Executors.newFixedThreadPool(THREADS)) {
      HsmKey kek = HsmKey.label("limit-" + UUID.randomUUID());
      hsm.generateAesKey(kek);
      List<Future<?>> calls = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        calls.add(
            threads.submit(
                () -> {
                  for (int round = 0; round < ROUNDS; round++) {
                    assertThat(hsm.contains(kek)).isTrue();
                    byte[] secret = hsm.random(32);
                    assertThat(hsm.unwrapKeyPad(kek, hsm.wrapKeyPad(kek, secret)))
                        .isEqualTo(secret);
                  }
                  return null;
                }));
      }
      while (!calls.stream().allMatch(Future::isDone)) {
        most = Math.max(most, OpenSessions.on(module, slot));
      }
      for (Future<?> call : calls) {
        call.get();
      }
      most = Math.max(most, OpenSessions.on(module, slot));
    }
    assertThat(most).isPositive().isLessThanOrEqualTo(maxSessions);
  }
}
