package com.plugsky.crypto.bench.pkcs11;

import org.openjdk.jmh.annotations.Threads;

/** {@link Pkcs11Benchmark} on two threads sharing one {@code Hsm}, a session each. */
@Threads(2)
public class TwoThreads extends Pkcs11Benchmark {
  @Override
  int threads() {
    return 2;
  }
}
