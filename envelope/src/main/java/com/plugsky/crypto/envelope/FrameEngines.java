package com.plugsky.crypto.envelope;

import com.plugsky.crypto.engine.AeadEngine;
import com.plugsky.crypto.engine.Engines;
import java.util.Optional;

/**
 * Which engine seals and opens the frames of a message. A stream seals every frame at one size
 * under one key, so its frames go to the engine crypto-api routes that size to ({@link
 * Engines#forArrays}: ACCP for 64 KiB arrays where it is installed). A whole message in memory has
 * its own payload key, so what counts is the cost of a new key plus the message, not an engine's
 * steady-state speed: up to {@value #SMALL_MESSAGE_LIMIT} bytes Conscrypt, whose BoringSSL sets a
 * key up inside each one-shot call, seals and opens under a new key faster than any other engine
 * here (1.5x the JDK and native at 1 KiB) and allocates 88 bytes per key (its key copy) against
 * SunJCE's 1.7 KB, while at 16 KiB the JDK's AVX-512 GCM is as fast and above that faster
 * (docs/benchmarks.md, "A new key per message" and "Session of 2026-11-28, afternoon").
 *
 * <p>Only the library's own choice is refined: an engine the caller gave the builder, one forced
 * with {@value Engines#ENGINE_PROPERTY}, or a FIPS-approved one serves every message.
 */
final class FrameEngines {
  /** Whole messages up to this many plaintext bytes take the small-message engine. */
  static final int SMALL_MESSAGE_LIMIT = 4 * 1024;
  private static final String SMALL_MESSAGE_ENGINE = "conscrypt";

  private final AeadEngine configured;
  private final AeadEngine smallMessages;
  private final boolean fixed;

  private FrameEngines(AeadEngine configured, AeadEngine smallMessages, boolean fixed) {
    this.configured = configured;
    this.smallMessages = smallMessages;
    this.fixed = fixed;
  }

  /**
   * @param chosenByCaller whether the caller named {@code configured} (then it serves everything)
   */
  static FrameEngines of(AeadEngine configured, boolean chosenByCaller) {
    String forced = System.getProperty(Engines.ENGINE_PROPERTY);
    boolean fixed =
        chosenByCaller || configured.isFipsApproved() || (forced != null && !forced.isBlank());
    AeadEngine small = fixed ? configured : available(SMALL_MESSAGE_ENGINE).orElse(configured);
    return new FrameEngines(configured, small, fixed);
  }

  /** The engine that seals or opens the frames of a message of {@code plaintextLength} bytes. */
  AeadEngine forMessage(long plaintextLength) {
    return plaintextLength <= SMALL_MESSAGE_LIMIT ? smallMessages : configured;
  }

  /** The engine for the frames of a stream whose frames hold {@code frameSize} bytes. */
  AeadEngine forStream(int frameSize) {
    return fixed ? configured : Engines.forArrays(frameSize);
  }

  private static Optional<AeadEngine> available(String name) {
    return Engines.available().stream().filter(e -> e.name().equals(name)).findFirst();
  }
}
