package com.plugsky.crypto.tls.hsts;

import com.plugsky.crypto.InvalidInputException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One {@code Strict-Transport-Security} policy (RFC 6797): built here, parsed from a header here,
 * and checked against the browser preload list's rules (max-age of at least one year,
 * includeSubDomains, preload) in one place.
 */
public final class Hsts {
  public static final String HEADER = "Strict-Transport-Security";

  /** The preload list's minimum max-age. */
  public static final Duration PRELOAD_MIN_MAX_AGE = Duration.ofSeconds(31_536_000);

  private final long maxAgeSeconds;
  private final boolean includeSubDomains;
  private final boolean preload;

  private Hsts(long maxAgeSeconds, boolean includeSubDomains, boolean preload) {
    if (maxAgeSeconds < 0) {
      throw new InvalidInputException("HSTS max-age must not be negative");
    }
    this.maxAgeSeconds = maxAgeSeconds;
    this.includeSubDomains = includeSubDomains;
    this.preload = preload;
  }

  /** Two years, includeSubDomains, preload: what the preload list recommends. */
  public static Hsts preloadReady() {
    return new Hsts(Duration.ofDays(730).toSeconds(), true, true);
  }

  /**
   * A policy without the preload token.
   *
   * @param maxAge how long browsers remember to use HTTPS only; zero tells them to forget
   */
  public static Hsts of(Duration maxAge, boolean includeSubDomains) {
    return new Hsts(maxAge.toSeconds(), includeSubDomains, false);
  }

  /**
   * A policy asking for preloading, refused unless it meets the preload rules.
   *
   * @throws InvalidInputException naming every rule it breaks
   */
  public static Hsts preload(Duration maxAge, boolean includeSubDomains) {
    Hsts hsts = new Hsts(maxAge.toSeconds(), includeSubDomains, true);
    hsts.requirePreloadable();
    return hsts;
  }

  /**
   * Parses a header value: directives separated by {@code ;}, names case-insensitive, values
   * optionally quoted, {@code max-age} required, no directive twice; unknown directives are
   * ignored as RFC 6797 section 6.1 says.
   *
   * @throws InvalidInputException when the value breaks the grammar
   */
  public static Hsts parse(String headerValue) {
    if (headerValue == null || headerValue.isBlank()) {
      throw new InvalidInputException("an empty Strict-Transport-Security value");
    }
    Long maxAge = null;
    boolean includeSubDomains = false;
    boolean preload = false;
    Set<String> seen = new HashSet<>();
    for (String directive : headerValue.split(";", -1)) {
      String trimmed = directive.strip();
      if (trimmed.isEmpty()) {
        continue;
      }
      int equals = trimmed.indexOf('=');
      String name = (equals < 0 ? trimmed : trimmed.substring(0, equals)).strip()
          .toLowerCase(Locale.ROOT);
      String value = equals < 0 ? null : unquote(trimmed.substring(equals + 1).strip());
      if (!seen.add(name)) {
        throw new InvalidInputException("Strict-Transport-Security repeats '" + name + "'");
      }
      switch (name) {
        case "max-age" -> maxAge = parseMaxAge(value);
        case "includesubdomains" -> includeSubDomains = requireNoValue(name, value);
        case "preload" -> preload = requireNoValue(name, value);
        default -> {
          // RFC 6797 6.1: a user agent ignores directives it does not know.
        }
      }
    }
    if (maxAge == null) {
      throw new InvalidInputException("Strict-Transport-Security needs a max-age directive");
    }
    return new Hsts(maxAge, includeSubDomains, preload);
  }

  public Duration maxAge() {
    return Duration.ofSeconds(maxAgeSeconds);
  }

  public boolean includeSubDomains() {
    return includeSubDomains;
  }

  public boolean preload() {
    return preload;
  }

  /** The header value, e.g. {@code max-age=63072000; includeSubDomains; preload}. */
  public String headerValue() {
    return "max-age="
        + maxAgeSeconds
        + (includeSubDomains ? "; includeSubDomains" : "")
        + (preload ? "; preload" : "");
  }

  /** What keeps this policy off the preload list; empty when it qualifies. */
  public List<String> preloadProblems() {
    List<String> problems = new ArrayList<>();
    if (maxAgeSeconds < PRELOAD_MIN_MAX_AGE.toSeconds()) {
      problems.add(
          "max-age is " + maxAgeSeconds + " s; preload needs at least " + PRELOAD_MIN_MAX_AGE.toSeconds());
    }
    if (!includeSubDomains) {
      problems.add("preload needs includeSubDomains");
    }
    if (!preload) {
      problems.add("the preload directive is missing");
    }
    return problems;
  }

  /**
   * @throws InvalidInputException naming every preload rule this policy breaks
   */
  public void requirePreloadable() {
    List<String> problems = preloadProblems();
    if (!problems.isEmpty()) {
      throw new InvalidInputException(
          "'" + headerValue() + "' cannot be preloaded: " + String.join("; ", problems));
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Hsts that
        && maxAgeSeconds == that.maxAgeSeconds
        && includeSubDomains == that.includeSubDomains
        && preload == that.preload;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(maxAgeSeconds) * 4 + (includeSubDomains ? 2 : 0) + (preload ? 1 : 0);
  }

  @Override
  public String toString() {
    return headerValue();
  }

  private static long parseMaxAge(String value) {
    if (value == null || value.isEmpty() || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new InvalidInputException("HSTS max-age must be a number of seconds, got " + value);
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("HSTS max-age is out of range: " + value, e);
    }
  }

  private static boolean requireNoValue(String name, String value) {
    if (value != null) {
      throw new InvalidInputException("HSTS directive " + name + " takes no value");
    }
    return true;
  }

  private static String unquote(String value) {
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      return value.substring(1, value.length() - 1);
    }
    return value;
  }
}
