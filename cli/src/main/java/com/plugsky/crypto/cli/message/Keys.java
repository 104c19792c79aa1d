package com.plugsky.crypto.cli.message;

import com.plugsky.crypto.AuthenticationFailedException;
import com.plugsky.crypto.CryptoException;
import com.plugsky.crypto.InvalidInputException;
import com.plugsky.crypto.cli.UserError;
import com.plugsky.crypto.context.EncryptionContext;
import com.plugsky.crypto.envelope.Envelope;
import com.plugsky.crypto.envelope.EnvelopeHeader;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import com.plugsky.crypto.keyref.Pkcs11KeyRef;
import com.plugsky.crypto.keywrap.local.LocalKeyWrapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * KeyRefs and contexts from the command line, and Envelopes over them. Key wrappers come from
 * {@link com.plugsky.crypto.keywrap.KeyWrappers} (ServiceLoader), so a scheme works as soon as its
 * module is on the classpath; only {@code local:} is configured here, to honour {@code
 * $PLUGSKY_HOME}, and {@code pkcs11:} when its PIN is typed at a prompt ({@link PinPrompt}).
 */
final class Keys {
  /** The KEK used when none is named: created on first use, so a fresh machine can encrypt. */
  static final String DEFAULT_KEK = "local:default";

  /** Environment variable whose {@code keys} directory holds the local KEKs. */
  static final String HOME_VARIABLE = "PLUGSKY_HOME";

  private Keys() {}

  /**
   * The local key directory: {@code $PLUGSKY_HOME/keys}, else the library's default ({@code
   * -Dplugsky.crypto.local.keys}, else {@code ~/.plugsky-crypto/keys}).
   */
  static LocalKeyWrapper localKeyWrapper() {
    LocalKeyWrapper.Builder builder = LocalKeyWrapper.builder();
    Optional.ofNullable(System.getenv(HOME_VARIABLE))
        .filter(home -> !home.isBlank())
        .ifPresent(home -> builder.keyDirectory(Path.of(home, "keys")));
    return builder.build();
  }

  /**
   * An Envelope that wraps under (and opens with) {@code keks}, in that order; {@code rewrapTo}
   * are the KEKs a rewrap will wrap under, whose wrappers are configured too.
   */
  static Envelope.Builder envelope(List<KeyRef> keks, String preferredRegion, List<KeyRef> rewrapTo) {
    Envelope.Builder builder = Envelope.builder();
    List<KeyRef> used = new ArrayList<>(keks);
    used.addAll(rewrapTo);
    if (used.stream().anyMatch(k -> k.scheme() == KeyRefScheme.LOCAL)) {
      builder.keyWrapper(localKeyWrapper());
    }
    PinPrompt.askIfNeeded(used).ifPresent(builder::keyWrapper);
    keks.forEach(builder::kek);
    if (preferredRegion != null) {
      builder.preferredRegion(preferredRegion);
    }
    return builder;
  }

  /**
   * The header's {@code local:} KeyRefs, which decryption uses when no {@code --key} is given.
   * Other schemes must be named: a PKCS#11 KeyRef names a library to load and a KMS KeyRef an
   * endpoint to call, and neither may come from a file that could have been crafted.
   */
  static List<KeyRef> localKeksOf(EnvelopeHeader header) {
    List<KeyRef> local = new ArrayList<>();
    for (EnvelopeHeader.WrappedKeyInfo wrapped : header.wrappedKeys()) {
      if (wrapped.keyRef().startsWith(KeyRefScheme.LOCAL.prefix())) {
        local.add(KeyRef.parse(wrapped.keyRef()));
      }
    }
    if (local.isEmpty()) {
      throw new UserError(
          "the message's data key is wrapped under "
              + header.wrappedKeys().stream().map(EnvelopeHeader.WrappedKeyInfo::keyRef).toList()
              + "; name the one to use with --key (only local: keys are used unnamed)");
    }
    return local;
  }

  /**
   * The header's context, after checking that it holds every {@code --context} pair given. The
   * header is authenticated with this context when the message is opened.
   */
  static EncryptionContext expectedContext(EnvelopeHeader header, EncryptionContext required) {
    Map<String, String> actual = header.context().asMap();
    for (Map.Entry<String, String> pair : required.asMap().entrySet()) {
      if (!pair.getValue().equals(actual.get(pair.getKey()))) {
        throw new AuthenticationFailedException(
            "the message's encryption context "
                + (actual.containsKey(pair.getKey())
                    ? "has a different value for '" + pair.getKey() + "'"
                    : "has no '" + pair.getKey() + "'")
                + " (--context " + pair.getKey() + "=...)");
      }
    }
    return header.context();
  }

  /** Refuses the same KeyRef given twice to a repeatable option, as a usage error. */
  static void requireDistinct(String option, List<KeyRef> keyRefs) {
    Set<KeyRef> seen = new HashSet<>();
    for (KeyRef keyRef : keyRefs) {
      if (!seen.add(keyRef)) {
        throw new UserError(option + " " + keyRef + " is given twice");
      }
    }
  }

  /**
   * The {@code --context} pairs as one context.
   *
   * @throws UserError when they cannot form one (a key given twice, too many or too long): a
   *     mistake on the command line, not a crypto failure
   */
  static EncryptionContext context(List<Map.Entry<String, String>> pairs) {
    EncryptionContext.Builder builder = EncryptionContext.builder();
    try {
      pairs.forEach(pair -> builder.put(pair.getKey(), pair.getValue()));
      return builder.build();
    } catch (InvalidInputException e) {
      throw new UserError("--context: " + e.getMessage());
    }
  }

  /** {@code --key}: a KeyRef URI; a PIN in it would show in {@code ps} and shell history. */
  static final class KeyRefConverter implements ITypeConverter<KeyRef> {
    @Override
    public KeyRef convert(String value) {
      KeyRef keyRef;
      try {
        keyRef = KeyRef.parse(value);
      } catch (CryptoException e) {
        throw new TypeConversionException(e.getMessage());
      }
      if (keyRef instanceof Pkcs11KeyRef pkcs11 && pkcs11.pinValue().isPresent()) {
        pkcs11.pinValue().ifPresent(pin -> java.util.Arrays.fill(pin, '\0'));
        throw new TypeConversionException(
            "a PIN on the command line is visible to every user of this machine; use"
                + " pin-source=env:NAME or pin-source=file:PATH in the KeyRef, or set $PLUGSKY_PKCS11_PIN");
      }
      return keyRef;
    }
  }

  /** {@code --context key=value}. */
  static final class PairConverter implements ITypeConverter<Map.Entry<String, String>> {
    @Override
    public Map.Entry<String, String> convert(String value) {
      int equals = value.indexOf('=');
      if (equals <= 0) {
        throw new TypeConversionException("'" + value + "' is not key=value");
      }
      String key = value.substring(0, equals);
      String pairValue = value.substring(equals + 1);
      try {
        // One pair alone must already be a valid context (no control characters, within limits).
        EncryptionContext.of(key, pairValue);
      } catch (InvalidInputException e) {
        throw new TypeConversionException(e.getMessage());
      }
      return Map.entry(key, pairValue);
    }
  }
}
