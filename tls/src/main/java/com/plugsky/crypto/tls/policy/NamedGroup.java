package com.plugsky.crypto.tls.policy;

import java.util.Set;

/**
 * Key-exchange groups a policy may offer, with the names each provider knows them by. JDK 25 has no
 * {@link #X25519MLKEM768}, so a policy that lists it builds on BoringSSL only.
 */
public enum NamedGroup {
  X25519("X25519", "x25519"),
  SECP256R1("P-256", "secp256r1"),
  SECP384R1("P-384", "secp384r1"),
  /** The hybrid post-quantum group (X25519 + ML-KEM-768); BoringSSL only. */
  X25519MLKEM768("X25519MLKEM768", null);

  private static final Set<NamedGroup> JDK_25 = Set.of(X25519, SECP256R1, SECP384R1);

  private final String boringSslName;
  private final String jdkName;

  NamedGroup(String boringSslName, String jdkName) {
    this.boringSslName = boringSslName;
    this.jdkName = jdkName;
  }

  public String boringSslName() {
    return boringSslName;
  }

  /** The name in {@code SSLParameters.setNamedGroups}; only for groups the JDK has. */
  public String jdkName() {
    if (!onJdk()) {
      throw new IllegalStateException(this + " has no JDK name");
    }
    return jdkName;
  }

  /** Whether the JDK 25 provider implements this group. */
  public boolean onJdk() {
    return JDK_25.contains(this);
  }
}
