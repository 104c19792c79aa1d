package com.plugsky.crypto.pkcs11.ffm;

import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.KeyAccessDeniedException;
import com.plugsky.crypto.pkcs11.ReturnCode;
import java.util.Objects;

/**
 * Stops an {@link com.plugsky.crypto.pkcs11.Hsm} from logging in again with a PIN its token has
 * refused: the same PIN can only fail again, and every try may count towards locking the token.
 * Once a login fails with a code for which {@link ReturnCode#refusesPin()} holds, each later login
 * attempt fails at once, without asking the PIN source or the token, until the Hsm is reopened.
 * Every backend keeps one per Hsm.
 */
public final class LoginGate {
  private final String token;
  private volatile CryptoException refusal;

  /** A gate for the token {@code token} names (a label, for messages). */
  public LoginGate(String token) {
    this.token = Objects.requireNonNull(token, "token");
  }

  /**
   * Call before each login.
   *
   * @throws KeyAccessDeniedException when the token has refused this Hsm's PIN, naming the code
   *     (and carrying it for {@link ReturnCode#of(Throwable)}), never the PIN
   */
  public void requireOpen() {
    CryptoException refused = refusal;
    if (refused != null) {
      String code = ReturnCode.of(refused).map(ReturnCode::name).orElse("a refused PIN");
      throw new KeyAccessDeniedException(
          "token "
              + token
              + " refused the PIN from this Hsm's PIN source ("
              + code
              + "); no login is tried with it again until the Hsm is reopened",
          refused);
    }
  }

  /** Returns a login's {@code failure}, remembering it when the token refused the PIN. */
  public <E extends RuntimeException> E observe(E failure) {
    if (failure instanceof CryptoException crypto
        && ReturnCode.of(crypto).filter(ReturnCode::refusesPin).isPresent()) {
      refusal = crypto;
    }
    return failure;
  }
}
