package com.plugsky.crypto.tls.hsts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.plugsky.crypto.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HstsTest {
  @Test
  void preloadReadyIsTwoYearsWithSubdomainsAndPreload() {
    assertThat(Hsts.preloadReady().headerValue()).isEqualTo("max-age=63072000; includeSubDomains; preload");
    assertThat(Hsts.preloadReady().preloadProblems()).isEmpty();
  }

  @Test
  void buildsAndParsesBackTheSamePolicy() {
    Hsts hsts = Hsts.of(Duration.ofDays(1), true);

    assertThat(hsts.headerValue()).isEqualTo("max-age=86400; includeSubDomains");
    assertThat(Hsts.parse(hsts.headerValue())).isEqualTo(hsts);
  }

  @Test
  void parsesCaseInsensitivelyWithQuotesAndUnknownDirectives() {
    Hsts hsts = Hsts.parse(" MAX-AGE=\"31536000\" ; includesubdomains;PRELOAD; report-uri=x ");

    assertThat(hsts.maxAge()).isEqualTo(Duration.ofSeconds(31_536_000));
    assertThat(hsts.includeSubDomains()).isTrue();
    assertThat(hsts.preload()).isTrue();
    assertThat(hsts.preloadProblems()).isEmpty();
  }

  @Test
  void namesEveryPreloadProblem() {
    Hsts weak = Hsts.parse("max-age=31535999");

    assertThat(weak.preloadProblems())
        .containsExactly(
            "max-age is 31535999 s; preload needs at least 31536000",
            "preload needs includeSubDomains",
            "the preload directive is missing");
    assertThatThrownBy(weak::requirePreloadable)
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("'max-age=31535999' cannot be preloaded: ");
  }

  @Test
  void refusesToBuildAPreloadPolicyThatCannotBePreloaded() {
    assertThatThrownBy(() -> Hsts.preload(Duration.ofDays(364), true))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("preload needs at least 31536000");
    assertThat(Hsts.preload(Duration.ofDays(365), true).headerValue())
        .isEqualTo("max-age=31536000; includeSubDomains; preload");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "includeSubDomains", "max-age=", "max-age=-1", "max-age=1e3",
      "max-age=1; max-age=2", "max-age=1; preload=yes", "max-age=99999999999999999999"})
  void refusesMalformedValues(String value) {
    assertThatThrownBy(() -> Hsts.parse(value)).isInstanceOf(InvalidInputException.class);
  }
}
