package com.plugsky.crypto.kms.aws.moto;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/** Counts the KMS requests a client sends, per operation name (Encrypt, Decrypt, ...). */
public final class KmsCallCounter implements ExecutionInterceptor {
  private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    calls.computeIfAbsent(operation, o -> new AtomicLong()).incrementAndGet();
    total.incrementAndGet();
  }

  /** Requests sent for {@code operation} so far. */
  public long count(String operation) {
    AtomicLong count = calls.get(operation);
    return count == null ? 0 : count.get();
  }

  /** Requests sent for any operation so far. */
  public long total() {
    return total.get();
  }

  public void reset() {
    calls.clear();
    total.set(0);
  }

  @Override
  public String toString() {
    return "KmsCallCounter" + calls;
  }
}
