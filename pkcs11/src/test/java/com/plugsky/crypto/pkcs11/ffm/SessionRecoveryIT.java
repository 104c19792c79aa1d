package com.plugsky.crypto.pkcs11.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import com.plugsky.crypto.audit.AuditEvent;
import com.plugsky.crypto.pkcs11.Hsm;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.HsmKey;
import com.plugsky.crypto.pkcs11.softhsm.SoftHsm;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sessions and logins taken away behind the pool's back, by another part of the same process
 * (PKCS#11 sessions and logins belong to the process, so this is what a second library user or a
 * token reset looks like), are re-established and the call succeeds.
 */
class SessionRecoveryIT {
  private final List<AuditEvent> events = new CopyOnWriteArrayList<>();
  private FfmHsm hsm;
  private Cryptoki module;
  private HsmKey key;

  @BeforeEach
  void open() {
    hsm =
        FfmHsm.open(
            SoftHsm.get()
                .config(SoftHsm.RECOVERY_TOKEN)
                .maxSessions(2)
                .auditSink(events::add)
                .build());
    module = Cryptoki.load(SoftHsm.MODULE);
    key = HsmKey.label("recovery-" + UUID.randomUUID());
    hsm.generateAesKey(key);
    roundTrip();
  }

  @AfterEach
  void close() {
    hsm.close();
  }

  @Test
  void reopensSessionsAndLogsInAgainAfterAllSessionsWereClosed() throws Throwable {
    long rv = (long) module.closeAllSessions.invokeExact(hsm.slotId());
    assertThat(rv).isZero();

    roundTrip();

    assertThat(logins()).isEqualTo(2);
  }

  @Test
  void logsInAgainAfterTheTokenLoggedTheUserOut() throws Throwable {
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

  @Test
  void sunPkcs11LogsInAgainAfterTheTokenLoggedTheUserOut() throws Throwable {
    List<AuditEvent> sunEvents = new CopyOnWriteArrayList<>();
    HsmConfig config =
        SoftHsm.get()
            .config(SoftHsm.RECOVERY_TOKEN)
            .backend(HsmConfig.Backend.SUNPKCS11)
            .auditSink(sunEvents::add)
            .build();
    try (Hsm sun = Hsm.open(config)) {
      HsmKey sunKey = HsmKey.label("recovery-" + UUID.randomUUID());
      sun.generateAesKey(sunKey);
      byte[] iv = CryptoRandom.bytes(12);
      byte[] sealed = sun.encryptAesGcm(sunKey, iv, new byte[32], new byte[0]);
      long session = openSession();
      try {
        long rv = (long) module.logout.invokeExact(session);
        assertThat(rv).isZero();

        assertThat(sun.decryptAesGcm(sunKey, iv, sealed, new byte[0])).isEqualTo(new byte[32]);
      } finally {
        long ignored = (long) module.closeSession.invokeExact(session);
      }
    }
    assertThat(sunEvents)
        .filteredOn(e -> e.operation() == AuditEvent.Operation.HSM_LOGIN)
        .hasSize(2);
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
                  hsm.slotId(),
                  Ck.CKF_SERIAL_SESSION | Ck.CKF_RW_SESSION,
                  MemorySegment.NULL,
                  MemorySegment.NULL,
                  handle);
      assertThat(rv).isZero();
      return handle.get(Cryptoki.CK_ULONG, 0);
    }
  }
}
