package com.plugsky.crypto.context;

/**
 * The canonical encoding of the context object a caller used last, kept for its next call: a
 * service passes one {@link EncryptionContext} object with message after message, and {@link
 * EncryptionContext#encoded()} makes a new copy each time. The arrays it returns are shared by
 * every caller of one instance, to be read (as associated data, or compared) and never written or
 * handed on. Thread-safe: any thread may replace the kept context, and each one kept is whole.
 */
public final class LastEncodedContext {
  private record Kept(EncryptionContext context, byte[] encoded) {}

  private volatile Kept kept;

  /**
   * {@code context}'s canonical encoding: the kept array when {@code context} is the object kept,
   * else a new copy, which is kept instead.
   */
  public byte[] encodingOf(EncryptionContext context) {
    Kept last = kept;
    if (last != null && last.context == context) {
      return last.encoded;
    }
    byte[] encoded = context.encoded();
    kept = new Kept(context, encoded);
    return encoded;
  }
}
