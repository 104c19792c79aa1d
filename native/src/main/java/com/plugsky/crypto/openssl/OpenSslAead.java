package com.plugsky.crypto.openssl;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.engine.spi.AbstractAead;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.AEADBadTagException;

/**
 * AES-256-GCM in libcrypto. The key goes to native memory in a context taken from a process-wide
 * set of idle ones ({@link GcmContext#take}), its home context, which is keyed with the first call's
 * nonce; a call on another thread while home is busy borrows a context from a small lock-free pool,
 * keyed from home's copy of the key, so calls on many threads neither contend nor allocate. A new
 * key therefore costs no EVP_CIPHER_CTX allocation or copy, which matters for the envelope's key per
 * message. Closing wipes every context's key and key schedule. Byte arrays, heap and direct buffers
 * all reach OpenSSL without a copy.
 */
final class OpenSslAead extends AbstractAead {
  private static final int POOL_SLOTS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  private static final VarHandle HOME_BUSY;

  static {
    try {
      HOME_BUSY = MethodHandles.lookup().findVarHandle(OpenSslAead.class, "homeBusy", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final LibCrypto lib;
  private final MemorySegment cipher;
  private final GcmContext home;
  /** Whether home is lent out, or recycled once closed; changed through {@link #HOME_BUSY}. */
  @SuppressWarnings("unused")
  private volatile boolean homeBusy;
  /** The other contexts, made the first time two calls overlap. */
  private volatile AtomicReferenceArray<GcmContext> idle;
  private volatile boolean destroyed;

  OpenSslAead(LibCrypto lib, MemorySegment cipher, byte[] key) {
    super(OpenSslEngineProvider.NAME, key);
    this.lib = lib;
    this.cipher = cipher;
    this.home = GcmContext.take(lib, cipher);
    home.setKey(key);
  }

  @Override
  protected int seal(byte[] nonce, boolean callerNonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset) {
    GcmContext context = borrow();
    try {
      context.sealArrays(nonce, aad, in, offset, length, out, outOffset);
    } finally {
      giveBack(context);
    }
    return length + TAG_LENGTH;
  }

  @Override
  protected int open(byte[] nonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws AEADBadTagException {
    int plaintextLength = length - TAG_LENGTH;
    GcmContext context = borrow();
    try {
      context.openArrays(nonce, aad, in, offset, plaintextLength, out, outOffset);
    } finally {
      giveBack(context);
    }
    return plaintextLength;
  }

  @Override
  protected int seal(byte[] nonce, boolean callerNonce, byte[] aad, ByteBuffer in, ByteBuffer out) {
    int length = in.remaining();
    GcmContext context = borrow();
    try {
      if (in.isDirect() && out.isDirect()) {
        long output = addressAtPosition(out);
        context.sealAt(nonce, aad, addressAtPosition(in), length, output, output + length);
      } else {
        MemorySegment output = MemorySegment.ofBuffer(out);
        context.seal(nonce, aad, MemorySegment.ofBuffer(in), output.asSlice(0, length), output.asSlice(length, TAG_LENGTH));
      }
    } finally {
      giveBack(context);
      Reference.reachabilityFence(in);
      Reference.reachabilityFence(out);
    }
    in.position(in.limit());
    out.position(out.position() + length + TAG_LENGTH);
    return length + TAG_LENGTH;
  }

  @Override
  protected int open(byte[] nonce, byte[] aad, ByteBuffer in, ByteBuffer out) throws AEADBadTagException {
    int plaintextLength = in.remaining() - TAG_LENGTH;
    GcmContext context = borrow();
    try {
      if (in.isDirect() && out.isDirect()) {
        long input = addressAtPosition(in);
        context.openAt(nonce, aad, input, plaintextLength, input + plaintextLength, addressAtPosition(out));
      } else {
        MemorySegment input = MemorySegment.ofBuffer(in);
        context.open(nonce, aad, input.asSlice(0, plaintextLength), input.asSlice(plaintextLength, TAG_LENGTH),
            MemorySegment.ofBuffer(out).asSlice(0, plaintextLength));
      }
    } finally {
      giveBack(context);
      Reference.reachabilityFence(in);
      Reference.reachabilityFence(out);
    }
    in.position(in.limit());
    out.position(out.position() + plaintextLength);
    return plaintextLength;
  }

  /**
   * The native address of a direct buffer's position. {@link AbstractAead} has checked the sizes
   * and that the output is writable; the caller fences the buffer until the downcall returns. Like
   * JNI's GetDirectBufferAddress (which ACCP and Conscrypt use), this does not hold an arena open
   * during the call: a buffer over arena memory must not be closed by another thread mid-call,
   * and one already closed is refused here.
   */
  private static long addressAtPosition(ByteBuffer direct) {
    MemorySegment segment = MemorySegment.ofBuffer(direct);
    if (!segment.scope().isAlive()) {
      throw new InvalidInputException("a direct buffer's memory was already freed (its arena is closed)");
    }
    return segment.address();
  }

  @Override
  protected void destroyKey() {
    destroyed = true;
    if (HOME_BUSY.compareAndSet(this, false, true)) {
      home.recycle();
    }
    AtomicReferenceArray<GcmContext> pool = idle;
    if (pool != null) {
      for (int slot = 0; slot < POOL_SLOTS; slot++) {
        GcmContext context = pool.getAndSet(slot, null);
        if (context != null) {
          context.recycle();
        }
      }
    }
  }

  private GcmContext borrow() {
    if (HOME_BUSY.compareAndSet(this, false, true)) {
      return home;
    }
    AtomicReferenceArray<GcmContext> pool = idle;
    if (pool != null) {
      int start = (int) (Thread.currentThread().threadId() % POOL_SLOTS);
      for (int i = 0; i < POOL_SLOTS; i++) {
        int slot = (start + i) % POOL_SLOTS;
        if (pool.get(slot) != null) {
          GcmContext context = pool.getAndSet(slot, null);
          if (context != null) {
            return context;
          }
        }
      }
    }
    // Under the lock that close() holds while destroying the key: home's key is still there.
    synchronized (this) {
      if (destroyed) {
        throw new IllegalStateException("this Aead (engine native) is closed; its key was destroyed");
      }
      if (idle == null) {
        idle = new AtomicReferenceArray<>(POOL_SLOTS);
      }
      GcmContext context = GcmContext.take(lib, cipher);
      context.setKeyOf(home);
      return context;
    }
  }

  private void giveBack(GcmContext context) {
    if (context == home) {
      homeBusy = false;
      // A close that ran while home was lent out left it to be recycled here.
      if (destroyed && HOME_BUSY.compareAndSet(this, false, true)) {
        home.recycle();
      }
      return;
    }
    AtomicReferenceArray<GcmContext> pool = idle;
    if (!destroyed) {
      int start = (int) (Thread.currentThread().threadId() % POOL_SLOTS);
      for (int i = 0; i < POOL_SLOTS; i++) {
        int slot = (start + i) % POOL_SLOTS;
        if (pool.compareAndSet(slot, null, context)) {
          // A close that ran between the check above and this store would miss the context.
          if (destroyed && pool.compareAndSet(slot, context, null)) {
            context.recycle();
          }
          return;
        }
      }
    }
    context.recycle();
  }
}
