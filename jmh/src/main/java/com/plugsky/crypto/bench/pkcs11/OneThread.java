package com.plugsky.crypto.bench.pkcs11;

import org.openjdk.jmh.annotations.Threads;

/** {@link Pkcs11Benchmark} on one thread. */
@Threads(1)
public class OneThread extends Pkcs11Benchmark {
  @Override
  int threads() {
    return 1;
  }
}
