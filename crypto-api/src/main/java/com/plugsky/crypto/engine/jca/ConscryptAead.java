package com.plugsky.crypto.engine.jca;

import com.plugsky.crypto.engine.spi.AbstractAead;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM through BoringSSL's one-shot {@code EVP_AEAD_CTX_seal} and {@code _open} in
 * Conscrypt's JNI library: the very calls Conscrypt's own {@code Cipher} makes in {@code doFinal},
 * without the {@code Cipher} around them. BoringSSL sets the key up inside each call anyway, so a
 * new key costs nothing more than a call; the {@code Cipher} path adds a key object, a parameter
 * spec, an AAD buffer and its checks per key and call (about 350 bytes and a third of the time of
 * a 1 KiB message under a new key, one per envelope message).
 *
 * <p>The two calls are package-private in Conscrypt and reached through a private lookup, which
 * works while Conscrypt is on the class path (an unnamed module, which opens its packages). When it
 * does not (Conscrypt on the module path, a version without these calls, or output that differs
 * from Conscrypt's {@code Cipher} on a check when the engine loads), the engine keeps its {@code
 * Cipher} path and {@link Calls#unavailabilityCause()} says why. Buffers without an accessible
 * array go through the {@code Cipher} path too.
 *
 * <p>Conscrypt's JNI copies each whole array it is given (not only the range), as its {@code
 * Cipher} path does: the engine routing measures that, and sends large messages elsewhere.
 */
final class ConscryptAead extends AbstractAead {
  private static final int TAG_BITS = TAG_LENGTH * 8;

  private final Calls calls;
  private final byte[] key;
  private final ThreadLocal<Cipher> ciphers;
  private JcaAead bufferPath;

  ConscryptAead(String engineName, Calls calls, ThreadLocal<Cipher> ciphers, byte[] key) {
    super(engineName, key);
    this.calls = calls;
    this.ciphers = ciphers;
    this.key = key.clone();
  }

  @Override
  protected int seal(
      byte[] nonce, boolean callerNonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws GeneralSecurityException {
    return calls.seal(key, out, outOffset, nonce, in, offset, length, aad);
  }

  @Override
  protected int open(byte[] nonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset)
      throws GeneralSecurityException {
    return calls.open(key, out, outOffset, nonce, in, offset, length, aad);
  }

  @Override
  protected int seal(byte[] nonce, boolean callerNonce, byte[] aad, ByteBuffer in, ByteBuffer out)
      throws GeneralSecurityException {
    if (!onArrays(in, out)) {
      return bufferPath().seal(nonce, callerNonce, aad, in, out);
    }
    return throughArrays(calls::seal, nonce, aad, in, out);
  }

  @Override
  protected int open(byte[] nonce, byte[] aad, ByteBuffer in, ByteBuffer out) throws GeneralSecurityException {
    if (!onArrays(in, out)) {
      return bufferPath().open(nonce, aad, in, out);
    }
    return throughArrays(calls::open, nonce, aad, in, out);
  }

  /** One of the two calls, on the arrays behind heap buffers. */
  private interface OneShotCall {
    int call(byte[] key, byte[] out, int outOffset, byte[] nonce, byte[] in, int offset, int length, byte[] aad)
        throws GeneralSecurityException;
  }

  /** {@code call} over the buffers' arrays from their positions; advances both. */
  private int throughArrays(OneShotCall call, byte[] nonce, byte[] aad, ByteBuffer in, ByteBuffer out)
      throws GeneralSecurityException {
    int written =
        call.call(
            key,
            out.array(),
            out.arrayOffset() + out.position(),
            nonce,
            in.array(),
            in.arrayOffset() + in.position(),
            in.remaining(),
            aad);
    in.position(in.limit());
    out.position(out.position() + written);
    return written;
  }

  @Override
  protected synchronized void destroyKey() {
    Arrays.fill(key, (byte) 0);
    if (bufferPath != null) {
      bufferPath.destroyKey();
    }
  }

  private static boolean onArrays(ByteBuffer in, ByteBuffer out) {
    return in.hasArray() && out.hasArray();
  }

  /** The {@code Cipher} path for direct buffers, made on first use. */
  private synchronized JcaAead bufferPath() {
    if (bufferPath == null) {
      bufferPath = new JcaAead(engineName(), ciphers, key, null);
    }
    return bufferPath;
  }

  /** The two one-shot calls, bound once for an engine; see {@link ConscryptAead}. */
  static final class Calls {
    private static final String NATIVE_CRYPTO = "org.conscrypt.NativeCrypto";
    private static final MethodType ONE_SHOT =
        MethodType.methodType(
            int.class,
            long.class,
            byte[].class,
            int.class,
            byte[].class,
            int.class,
            byte[].class,
            byte[].class,
            int.class,
            int.class,
            byte[].class);

    private final MethodHandle seal;
    private final MethodHandle open;
    private final long aes256Gcm;
    private final Throwable unavailabilityCause;

    private Calls(MethodHandle seal, MethodHandle open, long aes256Gcm, Throwable unavailabilityCause) {
      this.seal = seal;
      this.open = open;
      this.aes256Gcm = aes256Gcm;
      this.unavailabilityCause = unavailabilityCause;
    }

    /**
     * Binds the calls in the Conscrypt that {@code provider} comes from and checks them against its
     * {@code Cipher}; unavailable, with the cause, when either step fails.
     */
    static Calls bind(Provider provider) {
      Calls calls;
      try {
        Class<?> nativeCrypto = Class.forName(NATIVE_CRYPTO, true, provider.getClass().getClassLoader());
        MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(nativeCrypto, MethodHandles.lookup());
        long aes256Gcm =
            (long) lookup.findStatic(nativeCrypto, "EVP_aead_aes_256_gcm", MethodType.methodType(long.class))
                .invokeExact();
        calls =
            new Calls(
                lookup.findStatic(nativeCrypto, "EVP_AEAD_CTX_seal", ONE_SHOT),
                lookup.findStatic(nativeCrypto, "EVP_AEAD_CTX_open", ONE_SHOT),
                aes256Gcm,
                null);
        calls.checkAgainst(provider);
      } catch (Throwable e) {
        return new Calls(null, null, 0, e);
      }
      return calls;
    }

    /** Whether the engine's keys take the one-shot calls rather than the {@code Cipher}. */
    boolean isAvailable() {
      return unavailabilityCause == null;
    }

    /** Why the one-shot calls are not used; null when they are. */
    Throwable unavailabilityCause() {
      return unavailabilityCause;
    }

    int seal(byte[] key, byte[] out, int outOffset, byte[] nonce, byte[] in, int offset, int length, byte[] aad)
        throws GeneralSecurityException {
      try {
        return (int) seal.invokeExact(aes256Gcm, key, TAG_LENGTH, out, outOffset, nonce, in, offset, length, aad);
      } catch (GeneralSecurityException | RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException("EVP_AEAD_CTX_seal threw an undeclared exception", e);
      }
    }

    /**
     * @throws AEADBadTagException when the tag does not verify (BoringSSL's only refusal once the
     *     lengths are checked, which Conscrypt reports as a {@link BadPaddingException})
     */
    int open(byte[] key, byte[] out, int outOffset, byte[] nonce, byte[] in, int offset, int length, byte[] aad)
        throws GeneralSecurityException {
      try {
        return (int) open.invokeExact(aes256Gcm, key, TAG_LENGTH, out, outOffset, nonce, in, offset, length, aad);
      } catch (AEADBadTagException e) {
        throw e;
      } catch (BadPaddingException e) {
        AEADBadTagException tagMismatch = new AEADBadTagException("AES-GCM tag mismatch");
        tagMismatch.initCause(e);
        throw tagMismatch;
      } catch (GeneralSecurityException | RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException("EVP_AEAD_CTX_open threw an undeclared exception", e);
      }
    }

    /**
     * Seals one message through both paths and requires the same bytes, then opens it and requires
     * a flipped tag bit to be refused.
     */
    private void checkAgainst(Provider provider) throws GeneralSecurityException {
      byte[] key = new byte[KEY_LENGTH];
      byte[] nonce = new byte[NONCE_LENGTH];
      byte[] aad = new byte[13];
      byte[] plaintext = new byte[67];
      for (int i = 0; i < plaintext.length; i++) {
        plaintext[i] = (byte) (i * 7 + 1);
        if (i < key.length) {
          key[i] = (byte) (i + 0x40);
        }
        if (i < nonce.length) {
          nonce[i] = (byte) (0xa0 - i);
        }
        if (i < aad.length) {
          aad[i] = (byte) i;
        }
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(aad);
      byte[] expected = cipher.doFinal(plaintext);
      byte[] sealed = new byte[3 + plaintext.length + TAG_LENGTH];
      int written = seal(key, sealed, 3, nonce, plaintext, 0, plaintext.length, aad);
      if (written != expected.length || !Arrays.equals(sealed, 3, sealed.length, expected, 0, expected.length)) {
        throw new GeneralSecurityException("EVP_AEAD_CTX_seal disagrees with Conscrypt's Cipher");
      }
      byte[] opened = new byte[plaintext.length];
      open(key, opened, 0, nonce, sealed, 3, written, aad);
      if (!Arrays.equals(opened, plaintext)) {
        throw new GeneralSecurityException("EVP_AEAD_CTX_open does not return the plaintext sealed");
      }
      sealed[sealed.length - 1] ^= 1;
      try {
        open(key, opened, 0, nonce, sealed, 3, written, aad);
      } catch (AEADBadTagException expectedRefusal) {
        return;
      }
      throw new GeneralSecurityException("EVP_AEAD_CTX_open accepted a modified tag");
    }
  }
}
