package com.plugsky.crypto.kms.aws.moto;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests a {@link MotoServer} ({@code @ExtendWith(MotoExtension.class)}, then a {@code
 * MotoServer} parameter): one process for the whole test run, started on first use and stopped by
 * PID when the run ends (JUnit closes it with the root context's store). Tests share it, so each
 * creates its own keys.
 */
public final class MotoExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(MotoExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == MotoServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .computeIfAbsent(MotoServer.class, type -> MotoServer.start(), MotoServer.class);
  }
}
