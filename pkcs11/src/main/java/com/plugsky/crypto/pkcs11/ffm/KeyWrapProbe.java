package com.plugsky.crypto.pkcs11.ffm;

import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.KeyUnavailableException;
import com.plugsky.crypto.primitive.CryptoRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Decides whether CKM_AES_KEY_WRAP_PAD works on a token that lists it, by trying it: a token may
 * list the mechanism with its wrap and unwrap flags and still refuse the call, and reading the
 * flags alone would then send every key wrap down a path that fails. The backends run it once per
 * token, under a throwaway session KEK, and keep its answer in their capabilities.
 */
public final class KeyWrapProbe {
  private KeyWrapProbe() {}

  /**
   * Runs the trial under a session KEK that {@code makeKek} creates and {@code destroyKek} removes
   * afterwards.
   *
   * @return why key wrap cannot be used here (no trial KEK could be made, a refused call, or an
   *     unwrap that did not give the secret back), or empty when the round trip worked
   * @throws KeyUnavailableException when the token or a session went away meanwhile
   */
  public static Optional<String> refusal(
      Runnable makeKek,
      UnaryOperator<byte[]> wrap,
      UnaryOperator<byte[]> unwrap,
      Runnable destroyKek) {
    try {
      makeKek.run();
    } catch (KeyUnavailableException e) {
      throw e;
    } catch (CryptoException e) {
      return Optional.of(
          "the token lists CKM_AES_KEY_WRAP_PAD wrap and unwrap, but made no session AES key to"
              + " try it with: "
              + e.getMessage());
    }
    try {
      return refusal(wrap, unwrap);
    } finally {
      destroyKek.run();
    }
  }

  /**
   * Wraps a random 32-byte secret with {@code wrap} and unwraps the result with {@code unwrap}.
   *
   * @return why key wrap cannot be used here (a refused call, or an unwrap that did not give the
   *     secret back), or empty when the round trip worked
   * @throws KeyUnavailableException when the token, a session or the KEK went away during the
   *     trial: that says nothing about key wrap, so it must not be remembered as an answer
   */
  public static Optional<String> refusal(UnaryOperator<byte[]> wrap, UnaryOperator<byte[]> unwrap) {
    byte[] secret = CryptoRandom.bytes(32);
    byte[] unwrapped = null;
    try {
      unwrapped = unwrap.apply(wrap.apply(secret));
      if (!Arrays.equals(unwrapped, secret)) {
        return Optional.of(
            "the token lists CKM_AES_KEY_WRAP_PAD wrap and unwrap, but a trial unwrap did not give"
                + " back the wrapped secret");
      }
      return Optional.empty();
    } catch (KeyUnavailableException e) {
      throw e;
    } catch (CryptoException e) {
      return Optional.of(
          "the token lists CKM_AES_KEY_WRAP_PAD wrap and unwrap, but refused a trial: "
              + e.getMessage());
    } finally {
      Arrays.fill(secret, (byte) 0);
      if (unwrapped != null) {
        Arrays.fill(unwrapped, (byte) 0);
      }
    }
  }
}
