package com.plugsky.crypto.cli.message;

import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.Pkcs11KeyRef;
import com.plugsky.crypto.keywrap.KeyWrapper;
import com.plugsky.crypto.pkcs11.PinSource;
import com.plugsky.crypto.pkcs11.keywrap.Pkcs11KeyWrapper;
import com.plugsky.crypto.pkcs11.keywrap.Pkcs11KeyWrapperProvider;
import java.io.Console;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The third way to give a PIN, after {@code pin-source=env:|file:} in the KeyRef and {@code
 * $PLUGSKY_PKCS11_PIN}: asked on the terminal, without echo, when a {@code pkcs11:} KeyRef names
 * none and the variable is unset. Never from the command line, where every user could read it.
 */
final class PinPrompt {
  private PinPrompt() {}

  /** A pkcs11 wrapper holding the PIN typed now, if one is needed and a terminal can ask for it. */
  static Optional<KeyWrapper> askIfNeeded(List<KeyRef> keks) {
    if (System.getenv(Pkcs11KeyWrapperProvider.PIN_VARIABLE) != null) {
      return Optional.empty();
    }
    List<Pkcs11KeyRef> withoutPin =
        keks.stream()
            .filter(k -> k instanceof Pkcs11KeyRef)
            .map(k -> (Pkcs11KeyRef) k)
            .filter(k -> k.queryAttribute("pin-source").isEmpty())
            .toList();
    Console console = System.console();
    if (withoutPin.isEmpty() || console == null || !console.isTerminal()) {
      return Optional.empty();
    }
    String tokens =
        withoutPin.stream()
            .map(k -> k.pathAttribute("token").orElse(k.toString()))
            .distinct()
            .collect(Collectors.joining(", "));
    char[] pin = console.readPassword("PIN for %s: ", tokens);
    if (pin == null || pin.length == 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(Pkcs11KeyWrapper.builder().pinSource(PinSource.of(pin)).build());
    } finally {
      Arrays.fill(pin, '\0'); // PinSource.of keeps its own copy
    }
  }
}
