package com.plugsky.crypto.kms.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.audit.AuditEvent.Operation;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keywrap.DataKey;
import com.plugsky.crypto.keywrap.WrappedKey;
import com.plugsky.crypto.primitive.CryptoRandom;
import org.junit.jupiter.api.Test;

class CallAuditTest {
  private static final KeyRef KEY = KeyRef.parse("vault-transit:transit/orders");
  private static final AuditSink BROKEN_SINK =
      event -> {
        throw new IllegalStateException("audit log is full");
      };

  @Test
  void aDataKeyTheCallerNeverReceivesIsClosedWhenTheSinkFails() {
    DataKey dataKey = new DataKey(CryptoRandom.bytes(32), new WrappedKey(KEY, new byte[] {1}));

    assertThatThrownBy(
            () ->
                new CallAudit(BROKEN_SINK, "vault-transit")
                    .record(Operation.GENERATE_DATA_KEY, KEY, 32, () -> dataKey))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("audit log is full");
    assertThatThrownBy(dataKey::plaintextKey)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("data key is closed");
  }

  @Test
  void otherResultsAreLeftAloneWhenTheSinkFails() {
    WrappedKey wrapped = new WrappedKey(KEY, new byte[] {1, 2, 3});

    assertThatThrownBy(
            () ->
                new CallAudit(BROKEN_SINK, "vault-transit")
                    .record(Operation.WRAP, KEY, 32, () -> wrapped))
        .hasMessage("audit log is full");
    assertThat(wrapped.bytes()).containsExactly(1, 2, 3);
  }
}
