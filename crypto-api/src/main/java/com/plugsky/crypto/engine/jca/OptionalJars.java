package com.plugsky.crypto.engine.jca;

/** Checks for an optional engine's jar before any of its classes are linked. */
final class OptionalJars {
  private OptionalJars() {}

  static void require(String className, String artifact, String engine) throws ClassNotFoundException {
    try {
      Class.forName(className, false, OptionalJars.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new ClassNotFoundException(artifact + " is not on the classpath (add it to use the " + engine + " engine)", e);
    }
  }
}
