package com.plugsky.crypto.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.plugsky.crypto.engine.EngineStatus;
import com.plugsky.crypto.engine.Engines;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.junit.jupiter.api.Test;

/**
 * Guards the suite's coverage: an engine that silently drops out (a failed self-test makes {@link
 * Engines} hide it) would otherwise leave every vector test green with fewer engines.
 */
class EngineDiscoveryTest {

  @Test
  void everyRequiredEngineIsAvailable() {
    String required = System.getProperty("conformance.requiredEngines", "jdk,bc-fips");
    List<String> names = Arrays.stream(required.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    assertThat(names).isNotEmpty();
    String status = Engines.status().stream().map(EngineStatus::describe).toList().toString();
    for (String name : names) {
      assertThatCode(() -> Engines.named(name)).as("engine %s; engines found: %s", name, status).doesNotThrowAnyException();
    }
  }

  /** The fips-approved surefire execution must really run BC-FIPS approved-only, and the default one must not. */
  @Test
  void bcFipsApprovedOnlyModeMatchesTheRunMode() {
    boolean approvedRun = ConformanceSummary.mode().equals("fips-approved");
    assertThat(CryptoServicesRegistrar.isInApprovedOnlyMode()).as("BC-FIPS approved-only mode").isEqualTo(approvedRun);
    assertThat(Engines.named("bc-fips").isFipsApproved()).as("bc-fips isFipsApproved()").isEqualTo(approvedRun);
    assertThat(Engines.fips().isEmpty()).as("Engines.fips() is empty").isEqualTo(!approvedRun);
  }
}
