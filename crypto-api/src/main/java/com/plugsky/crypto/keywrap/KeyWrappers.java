package com.plugsky.crypto.keywrap;

import com.plugsky.crypto.ConfigurationException;
import com.plugsky.crypto.audit.AuditSink;
import com.plugsky.crypto.keyref.KeyRef;
import com.plugsky.crypto.keyref.KeyRefScheme;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the {@link KeyWrapper} for a KeyRef among the {@link KeyWrapperProvider}s on the classpath,
 * so that a service adds a backend module and changes no code.
 */
public final class KeyWrappers {
  private KeyWrappers() {}

  /** A wrapper for {@code keyRef}'s scheme that audits nowhere. */
  public static KeyWrapper forKeyRef(KeyRef keyRef) {
    return forKeyRef(keyRef, AuditSink.NONE);
  }

  /**
   * A wrapper for {@code keyRef}'s scheme, reporting to {@code auditSink}.
   *
   * @throws ConfigurationException when no module on the classpath serves the scheme (the message
   *     names the module to add), or more than one does
   */
  public static KeyWrapper forKeyRef(KeyRef keyRef, AuditSink auditSink) {
    Objects.requireNonNull(keyRef, "keyRef");
    Objects.requireNonNull(auditSink, "auditSink");
    KeyRefScheme scheme = keyRef.scheme();
    List<KeyWrapperProvider> matching =
        Providers.FOUND.stream().filter(p -> p.scheme() == scheme).toList();
    if (matching.size() > 1) {
      throw new ConfigurationException(
          "several key wrappers serve "
              + scheme.prefix()
              + " KeyRefs: "
              + matching.stream().map(p -> p.getClass().getName()).toList()
              + "; keep one of their modules on the classpath");
    }
    if (matching.isEmpty()) {
      throw new ConfigurationException(
          "no key wrapper for "
              + scheme.prefix()
              + " KeyRefs on the classpath; add the module "
              + moduleFor(scheme),
          Providers.loadFailure);
    }
    return matching.getFirst().create(auditSink);
  }

  private static String moduleFor(KeyRefScheme scheme) {
    return switch (scheme) {
      case LOCAL ->
          "com.plugsky.crypto:crypto-api (its services file is missing: a shaded jar that dropped"
              + " it?)";
      case PKCS11 -> "com.plugsky.crypto:pkcs11";
      case AWS_KMS, AZURE_KV, VAULT_TRANSIT, GCP_KMS -> "com.plugsky.crypto:kms-cloud";
    };
  }

  private static final class Providers {
    static final List<KeyWrapperProvider> FOUND;
    // A provider that fails to load must not hide the others; its error explains a missing scheme.
    static final ServiceConfigurationError loadFailure;

    static {
      List<KeyWrapperProvider> found = new ArrayList<>();
      ServiceConfigurationError failure = null;
      Iterator<KeyWrapperProvider> iterator =
          ServiceLoader.load(KeyWrapperProvider.class).iterator();
      while (true) {
        try {
          if (!iterator.hasNext()) {
            break;
          }
        } catch (ServiceConfigurationError e) {
          // An unreadable services file: nothing after it can be found either.
          failure = e;
          break;
        }
        try {
          found.add(iterator.next());
        } catch (ServiceConfigurationError e) {
          failure = e;
        }
      }
      FOUND = List.copyOf(found);
      loadFailure = failure;
    }
  }
}
