package com.plugsky.crypto.engine;

/**
 * The {@link java.util.ServiceLoader} entry point of an engine. Loading is separate from
 * construction so that a missing jar or native library makes the engine unavailable with a reason
 * instead of breaking service discovery for every other engine.
 */
public interface AeadEngineProvider {

  /** The engine's name, known even when it cannot load. */
  String name();

  /**
   * Loads the engine (classes, native library, provider registration).
   *
   * @throws Exception anything that makes the engine unusable here; reported as its cause
   */
  AeadEngine load() throws Exception;
}
