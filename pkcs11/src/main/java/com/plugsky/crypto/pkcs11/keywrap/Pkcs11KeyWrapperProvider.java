package com.plugsky.crypto.pkcs11.keywrap;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.keywrap.KeyWrapperProvider;
import com.plugsky.crypto.pkcs11.HsmConfig;
import com.plugsky.crypto.pkcs11.PinSource;
import java.util.Arrays;
import java.util.Locale;

/**
 * Registers {@link Pkcs11KeyWrapper} for {@code pkcs11:} KeyRefs with {@link
 * java.util.ServiceLoader}. Configured from the environment: the backend from {@value
 * #BACKEND_PROPERTY} ({@code ffm} by default), the PIN of KeyRefs without one from the environment
 * variable {@value #PIN_VARIABLE} (read at each login, never stored), the module of KeyRefs without
 * {@code module-path} from {@value Pkcs11KeyWrapper#MODULE_PROPERTY}. The wrappers share token
 * handles (sessions, login) for the JVM's life, so one per call is cheap.
 */
public final class Pkcs11KeyWrapperProvider implements KeyWrapperProvider {
  /** System property choosing the backend: {@code ffm}, {@code sunpkcs11} or {@code iaik}. */
  public static final String BACKEND_PROPERTY = "plugsky.crypto.pkcs11.backend";

  /** Environment variable holding the user PIN for KeyRefs that name none. */
  public static final String PIN_VARIABLE = "PLUGSKY_PKCS11_PIN";

  /** One object for every wrapper made here, so that they share token handles keyed by it. */
  private static final PinSource ENVIRONMENT_PIN = PinSource.environment(PIN_VARIABLE);

  @Override
  public KeyRefScheme scheme() {
    return KeyRefScheme.PKCS11;
  }

  @Override
  public KeyWrapper create(AuditSink auditSink) {
    String backend = System.getProperty(BACKEND_PROPERTY, "ffm").strip().toUpperCase(Locale.ROOT);
    HsmConfig.Backend chosen;
    try {
      chosen = HsmConfig.Backend.valueOf(backend);
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException(
          "-D"
              + BACKEND_PROPERTY
              + " names no backend; use one of "
              + Arrays.toString(HsmConfig.Backend.values()));
    }
    PinSource pin = System.getenv(PIN_VARIABLE) == null ? PinSource.NONE : ENVIRONMENT_PIN;
    return Pkcs11KeyWrapper.builder()
        .auditSink(auditSink)
        .backend(chosen)
        .pinSource(pin)
        .shareTokens()
        .build();
  }
}
