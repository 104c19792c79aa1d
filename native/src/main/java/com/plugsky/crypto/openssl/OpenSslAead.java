package com.plugsky.crypto.openssl;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.engine.spi.AbstractAead;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
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
 * message. Closing wipes every context's key and key schedule, and so does a cleaner once an Aead
 * that was never closed becomes unreachable. Byte arrays, heap and direct buffers all reach OpenSSL
 * without a copy.
 */
final class OpenSslAead extends AbstractAead {
  /**
   * Wipes and recycles the contexts of an Aead that was dropped without {@link #close()}: they live
   * outside the heap, so without this its key and key schedule would stay in native memory, and
   * the contexts would be lost, for the rest of the process.
   */
  private static final Cleaner CLEANER =
      Cleaner.create(Thread.ofPlatform().daemon().name("plugsky-native-aead-cleaner").factory());

  private final Contexts contexts;
  private final Cleaner.Cleanable wipeOnce;

  OpenSslAead(LibCrypto lib, MemorySegment cipher, byte[] key) {
    super(OpenSslEngineProvider.NAME, key);
    this.contexts = new Contexts(lib, cipher, key);
    this.wipeOnce = CLEANER.register(this, contexts);
  }

  @Override
  protected int seal(byte[] nonce, boolean callerNonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset) {
    GcmContext context = contexts.borrow();
    try {
      context.sealArrays(nonce, aad, in, offset, length, out, outOffset);
    } finally {
      contexts.giveBack(context);
      Reference.reachabilityFence(this);
    }
    return length + TAG_LENGTH;
  }

  @Override
  protected int open(byte[] nonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws AEADBadTagException {
    int plaintextLength = length - TAG_LENGTH;
    GcmContext context = contexts.borrow();
    try {
      context.openArrays(nonce, aad, in, offset, plaintextLength, out, outOffset);
    } finally {
      contexts.giveBack(context);
      Reference.reachabilityFence(this);
    }
    return plaintextLength;
  }

  @Override
  protected int seal(byte[] nonce, boolean callerNonce, byte[] aad, ByteBuffer in, ByteBuffer out) {
    int length = in.remaining();
    GcmContext context = contexts.borrow();
    try {
      if (in.isDirect() && out.isDirect()) {
        long output = addressAtPosition(out);
        context.sealAt(nonce, aad, addressAtPosition(in), length, output, output + length);
      } else {
        MemorySegment output = MemorySegment.ofBuffer(out);
        context.seal(nonce, aad, MemorySegment.ofBuffer(in), output.asSlice(0, length), output.asSlice(length, TAG_LENGTH));
      }
    } finally {
      contexts.giveBack(context);
      Reference.reachabilityFence(this);
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
    GcmContext context = contexts.borrow();
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
      contexts.giveBack(context);
      Reference.reachabilityFence(this);
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
    wipeOnce.clean();
  }

  /** Home's native copy of the key; for tests. */
  MemorySegment homeKeySlot() {
    return contexts.home.keySlot();
  }

  /**
   * The contexts holding one key: home, lent to one call at a time, and the pool of others that
   * overlapping calls key from home's copy. Kept apart from the Aead so that its cleaner can reach
   * them without keeping the Aead reachable.
   */
  private static final class Contexts implements Runnable {
    private static final int POOL_SLOTS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    private static final VarHandle HOME_BUSY;

    static {
      try {
        HOME_BUSY = MethodHandles.lookup().findVarHandle(Contexts.class, "homeBusy", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final LibCrypto lib;
    private final MemorySegment cipher;
    private final GcmContext home;
    /** Whether home is lent out, or recycled once destroyed; changed through {@link #HOME_BUSY}. */
    @SuppressWarnings("unused")
    private volatile boolean homeBusy;
    /** The other contexts, made the first time two calls overlap. */
    private volatile AtomicReferenceArray<GcmContext> idle;
    private volatile boolean destroyed;

    Contexts(LibCrypto lib, MemorySegment cipher, byte[] key) {
      this.lib = lib;
      this.cipher = cipher;
      this.home = GcmContext.take(lib, cipher);
      home.setKey(key);
    }

    /**
     * Wipes the key from every context and recycles them; run once, by close or by the cleaner.
     * Holds the lock under which {@link #borrow} keys a new context from home.
     */
    @Override
    public synchronized void run() {
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

    GcmContext borrow() {
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
      // Under the lock that run() holds while destroying the key: home's key is still there.
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

    void giveBack(GcmContext context) {
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
}
