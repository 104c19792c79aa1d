package com.plugsky.crypto.pkcs11.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Counts the sessions this process has open on one slot, as the module sees them. SoftHSM2 reports
 * no session count in CK_TOKEN_INFO, but answers C_GetSessionInfo for every open handle of the
 * process, whichever library opened it, and numbers handles upwards: every handle below that of a
 * session opened now is asked.
 */
final class OpenSessions {
  private OpenSessions() {}

  static int on(Cryptoki module, long slot) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment handle = arena.allocate(Cryptoki.CK_ULONG);
      long rv =
          (long)
              module.openSession.invokeExact(
                  slot, Ck.CKF_SERIAL_SESSION, MemorySegment.NULL, MemorySegment.NULL, handle);
      if (rv != 0) {
        throw new IllegalStateException("C_OpenSession failed: 0x" + Long.toHexString(rv));
      }
      long newest = handle.get(Cryptoki.CK_ULONG, 0);
      MemorySegment info = arena.allocate(Cryptoki.CK_SESSION_INFO);
      int open = 0;
      for (long candidate = 1; candidate < newest; candidate++) {
        rv = (long) module.getSessionInfo.invokeExact(candidate, info);
        if (rv == 0 && info.get(Cryptoki.CK_ULONG, 0) == slot) {
          open++;
        }
      }
      rv = (long) module.closeSession.invokeExact(newest);
      if (rv != 0) {
        throw new IllegalStateException("C_CloseSession failed: 0x" + Long.toHexString(rv));
      }
      return open;
    }
  }
}
