package com.plugsky.crypto.engine.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.aead.Aead;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What {@link AbstractAead} guarantees whatever the engine: a call during which the Aead is closed,
 * and so its key wiped, returns no output, since the engine may have read a partly wiped key.
 */
class AbstractAeadTest {
  private static final byte[] AAD = {1, 2, 3};

  /**
   * Stands in for an engine whose call is overtaken by a close on another thread: each call writes
   * its output (input bytes, then a tag of 7s) and is closed before it returns.
   */
  private static final class ClosedMidCall extends AbstractAead {
    ClosedMidCall() {
      super("closed-mid-call", new byte[KEY_LENGTH]);
    }

    @Override
    protected int seal(
        byte[] nonce,
        boolean callerNonce,
        byte[] aad,
        byte[] in,
        int offset,
        int length,
        byte[] out,
        int outOffset) {
      System.arraycopy(in, offset, out, outOffset, length);
      Arrays.fill(out, outOffset + length, outOffset + length + TAG_LENGTH, (byte) 7);
      close();
      return length + TAG_LENGTH;
    }

    @Override
    protected int open(
        byte[] nonce, byte[] aad, byte[] in, int offset, int length, byte[] out, int outOffset) {
      int plaintextLength = length - TAG_LENGTH;
      System.arraycopy(in, offset, out, outOffset, plaintextLength);
      close();
      return plaintextLength;
    }

    @Override
    protected int seal(
        byte[] nonce, boolean callerNonce, byte[] aad, ByteBuffer in, ByteBuffer out) {
      int length = in.remaining();
      out.put(in);
      out.put(new byte[] {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7});
      close();
      return length + TAG_LENGTH;
    }

    @Override
    protected int open(byte[] nonce, byte[] aad, ByteBuffer in, ByteBuffer out) {
      int length = in.remaining() - TAG_LENGTH;
      out.put(in.slice(in.position(), length));
      close();
      return length;
    }

    @Override
    protected void destroyKey() {}
  }

  @Test
  void anArrayCallOvertakenByCloseReturnsNoOutput() {
    byte[] plaintext = {9, 9, 9, 9, 9};
    byte[] sealed = new byte[plaintext.length + Aead.OVERHEAD];
    assertThatThrownBy(
            () -> new ClosedMidCall().encrypt(plaintext, 0, plaintext.length, AAD, sealed, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed during the encrypt call");
    assertThat(Arrays.copyOfRange(sealed, Aead.NONCE_LENGTH, sealed.length)).containsOnly(0);

    byte[] message = new byte[plaintext.length + Aead.OVERHEAD];
    Arrays.fill(message, (byte) 9);
    byte[] opened = new byte[plaintext.length];
    assertThatThrownBy(
            () -> new ClosedMidCall().decrypt(message, 0, message.length, AAD, opened, 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed during the decrypt call");
    assertThat(opened).containsOnly(0);
  }

  @Test
  void aBufferCallOvertakenByCloseReturnsNoOutputAndMovesNoPosition() {
    ByteBuffer plaintext = ByteBuffer.wrap(new byte[] {9, 9, 9, 9, 9});
    ByteBuffer sealed = ByteBuffer.allocateDirect(5 + Aead.OVERHEAD);
    assertThatThrownBy(() -> new ClosedMidCall().encrypt(plaintext, AAD, sealed))
        .isInstanceOf(IllegalStateException.class);
    assertThat(sealed.position()).isZero();
    assertThat(plaintext.position()).isZero();
    byte[] written = new byte[sealed.capacity()];
    sealed.get(0, written);
    assertThat(written).containsOnly(0);

    byte[] message = new byte[5 + Aead.OVERHEAD];
    Arrays.fill(message, (byte) 9);
    ByteBuffer ciphertext = ByteBuffer.wrap(message);
    ByteBuffer opened = ByteBuffer.allocate(5);
    assertThatThrownBy(() -> new ClosedMidCall().decrypt(ciphertext, AAD, opened))
        .isInstanceOf(IllegalStateException.class);
    assertThat(ciphertext.position()).isZero();
    assertThat(opened.position()).isZero();
    assertThat(opened.array()).containsOnly(0);
  }
}
