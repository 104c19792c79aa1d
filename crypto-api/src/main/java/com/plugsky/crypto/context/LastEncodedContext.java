package com.plugsky.crypto.context;

import java.util.Objects;

/**
 * The canonical encoding of the context object each thread used last, kept for its next call: a
 * service often passes one {@link EncryptionContext} object with message after message, and {@link
 * EncryptionContext#encoded()} makes a new copy each time. Each thread keeps its own (a shared slot
 * would be written by every thread whose contexts differ call to call, which costs more than the
 * copy saves), and the arrays returned are that thread's, to be read (as associated data, or
 * compared) and never written or handed on.
 */
public final class LastEncodedContext {
  /** One thread's kept context and its encoding. */
  private static final class Slot {
    EncryptionContext context;
    byte[] encoded;
  }

  private final ThreadLocal<Slot> slots = ThreadLocal.withInitial(Slot::new);

  /**
   * {@code context}'s canonical encoding: the array kept on this thread when {@code context} is
   * the object kept, else a new copy, which this thread keeps instead.
   */
  public byte[] encodingOf(EncryptionContext context) {
    Objects.requireNonNull(context, "context");
    Slot slot = slots.get();
    if (slot.context != context) {
      slot.encoded = context.encoded();
      slot.context = context;
    }
    return slot.encoded;
  }
}
