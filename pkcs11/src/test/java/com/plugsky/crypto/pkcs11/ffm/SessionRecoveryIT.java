package com.plugsky.crypto.pkcs11.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig.Backend;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sessions and logins taken away behind a backend's back, by another part of the same process
 * through the ffm binding (PKCS#11 sessions and logins belong to the process, so this is what a
 * second library user or a token reset looks like), are re-established and the call succeeds.
 * SoftHSM2 cannot be made to answer CKR_DEVICE_REMOVED or CKR_TOKEN_NOT_PRESENT to an open session
 * (its tokens are directories that stay present), so that repair is not exercised here.
 */
class SessionRecoveryIT {
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private Cryptoki module;
  private long slot;
  private Hsm hsm;
  private HsmKey key;

  @BeforeEach
  void loadModule() {
    SoftHsm.get();
    module = Cryptoki.load(SoftHsm.MODULE);
  }

  @AfterEach
  void close() {
    if (hsm != null) {
      hsm.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void logsInAgainAfterTheTokenLoggedTheUserOut(Backend backend) throws Throwable {
    open(backend, Duration.ofSeconds(30));
    long session = openSession();
    try {
      long rv = (long) module.logout.invokeExact(session);
      assertThat(rv).isZero();

      roundTrip();
    } finally {
      long ignored = (long) module.closeSession.invokeExact(session);
    }
    assertThat(logins()).isEqualTo(2);
  }

  /**
   * SunPKCS11 is left out: it goes on using the sessions the token closed, and its next call fails
   * with CKR_SESSION_HANDLE_INVALID.
   */
  @ParameterizedTest
  @EnumSource(names = {"FFM", "IAIK"})
  void reopensSessionsAndLogsInAgainAfterAllSessionsWereClosed(Backend backend) throws Throwable {
    open(backend, Duration.ofSeconds(30));
    long rv = (long) module.closeAllSessions.invokeExact(slot);
    assertThat(rv).isZero();

    roundTrip();

    assertThat(logins()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(names = {"FFM", "IAIK"})
  void replacesIdleSessionsTheTokenClosedWhenTheyAreChecked(Backend backend) throws Throwable {
    open(backend, Duration.ZERO);
    fillThePool();
    long rv = (long) module.closeAllSessions.invokeExact(slot);
    assertThat(rv).isZero();

    roundTrip();

    assertThat(logins()).isEqualTo(2);
    assertThat(OpenSessions.on(module, slot)).isBetween(1, 2);
  }

  private void open(Backend backend, Duration validateAfterIdle) {
    String token =
        backend == Backend.SUNPKCS11 ? SoftHsm.SUN_RECOVERY_TOKEN : SoftHsm.RECOVERY_TOKEN;
    slot = TokenDirectory.slotOf(SoftHsm.MODULE, token);
    hsm =
        Hsm.open(
            SoftHsm.get()
                .config(token)
                .backend(backend)
                .maxSessions(2)
                .validateAfterIdle(validateAfterIdle)
                .auditSink(events::add)
                .build());
    key = HsmKey.label("recovery-" + UUID.randomUUID());
    hsm.generateAesKey(key);
    roundTrip();
  }

  /** Round trips on two threads until both of the pool's sessions are open and idle. */
  private void fillThePool() throws Throwable {
    try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
      for (int attempt = 0; attempt < 200 && OpenSessions.on(module, slot) < 2; attempt++) {
        List<Future<?>> calls =
            List.of(threads.submit(this::roundTrips), threads.submit(this::roundTrips));
        for (Future<?> call : calls) {
          call.get();
        }
      }
    }
    assertThat(OpenSessions.on(module, slot)).isEqualTo(2);
  }

  private void roundTrips() {
    for (int i = 0; i < 20; i++) {
      roundTrip();
    }
  }

  private void roundTrip() {
    byte[] iv = CryptoRandom.bytes(12);
    byte[] plaintext = CryptoRandom.bytes(32);
    byte[] sealed = hsm.encryptAesGcm(key, iv, plaintext, new byte[0]);
    assertThat(hsm.decryptAesGcm(key, iv, sealed, new byte[0])).isEqualTo(plaintext);
  }

  private long logins() {
    return events.stream().filter(e -> e.operation() == AuditEvent.Operation.HSM_LOGIN).count();
  }

  private long openSession() throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment handle = arena.allocate(Cryptoki.CK_ULONG);
      long rv =
          (long)
              module.openSession.invokeExact(
                  slot,
                  Ck.CKF_SERIAL_SESSION | Ck.CKF_RW_SESSION,
                  MemorySegment.NULL,
                  MemorySegment.NULL,
                  handle);
      assertThat(rv).isZero();
      return handle.get(Cryptoki.CK_ULONG, 0);
    }
  }
}
