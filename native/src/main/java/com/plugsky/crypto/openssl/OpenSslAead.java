package com.plugsky.crypto.openssl;

import static com.plugsky.crypto.openssl.LibCrypto.rethrow;

import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.engine.spi.AbstractAead;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicReferenceArray;
import javax.crypto.AEADBadTagException;

/**
 * AES-256-GCM in libcrypto. The key is expanded once into a template context and its raw bytes
 * cleansed from native memory right away; each call borrows a keyed context from a small lock-free
 * pool (creating one by copying the template when all are busy), so calls on many threads neither
 * contend nor allocate. Byte arrays, heap and direct buffers all reach OpenSSL without a copy.
 */
final class OpenSslAead extends AbstractAead {
  private static final int POOL_SLOTS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  private final LibCrypto lib;
  private final AtomicReferenceArray<GcmContext> idle = new AtomicReferenceArray<>(POOL_SLOTS);
  private MemorySegment template;
  private volatile boolean destroyed;

  OpenSslAead(LibCrypto lib, MemorySegment cipher, byte[] key) {
    super(OpenSslEngineProvider.NAME, key);
    this.lib = lib;
    MemorySegment ctx = GcmContext.newContext(lib);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment nativeKey = arena.allocate(key.length);
      MemorySegment.copy(key, 0, nativeKey, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, key.length);
      try {
        GcmContext.check(lib,
            (int) Evp.CIPHER_INIT.invokeExact(ctx, cipher, MemorySegment.NULL, nativeKey, MemorySegment.NULL, 1),
            "EVP_CipherInit_ex(key)");
      } catch (Throwable e) {
        GcmContext.free(lib, ctx);
        throw rethrow(e);
      } finally {
        lib.cleanse(nativeKey);
      }
    }
    this.template = ctx;
  }

  @Override
  protected int seal(byte[] nonce, boolean callerNonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset) {
    MemorySegment output = MemorySegment.ofArray(out);
    GcmContext context = borrow();
    try {
      context.seal(nonce, aad, MemorySegment.ofArray(in).asSlice(offset, length),
          output.asSlice(outOffset, length), output.asSlice(outOffset + length, TAG_LENGTH));
    } finally {
      giveBack(context);
    }
    return length + TAG_LENGTH;
  }

  @Override
  protected int open(byte[] nonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws AEADBadTagException {
    int plaintextLength = length - TAG_LENGTH;
    MemorySegment input = MemorySegment.ofArray(in);
    GcmContext context = borrow();
    try {
      context.open(nonce, aad, input.asSlice(offset, plaintextLength),
          input.asSlice(offset + plaintextLength, TAG_LENGTH), MemorySegment.ofArray(out).asSlice(outOffset, plaintextLength));
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
    for (int slot = 0; slot < POOL_SLOTS; slot++) {
      GcmContext context = idle.getAndSet(slot, null);
      if (context != null) {
        context.free();
      }
    }
    synchronized (this) {
      GcmContext.free(lib, template);
      template = null;
    }
  }

  private GcmContext borrow() {
    int start = (int) (Thread.currentThread().threadId() % POOL_SLOTS);
    for (int i = 0; i < POOL_SLOTS; i++) {
      int slot = (start + i) % POOL_SLOTS;
      if (idle.get(slot) != null) {
        GcmContext context = idle.getAndSet(slot, null);
        if (context != null) {
          return context;
        }
      }
    }
    synchronized (this) {
      if (template == null) {
        throw new IllegalStateException("this Aead (engine native) is closed; its key was destroyed");
      }
      return GcmContext.copyOf(lib, template);
    }
  }

  private void giveBack(GcmContext context) {
    if (!destroyed) {
      int start = (int) (Thread.currentThread().threadId() % POOL_SLOTS);
      for (int i = 0; i < POOL_SLOTS; i++) {
        int slot = (start + i) % POOL_SLOTS;
        if (idle.compareAndSet(slot, null, context)) {
          // A close that ran between the check above and this store would miss the context.
          if (destroyed && idle.compareAndSet(slot, context, null)) {
            context.free();
          }
          return;
        }
      }
    }
    context.free();
  }
}
