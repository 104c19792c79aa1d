package com.plugsky.crypto.bench.inturn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WindowsInTurnTest {
  @Test
  void theMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    double[] sorted = {1.0, 2.0, 3.0, 4.0};

    assertThat(WindowsInTurn.quantile(sorted, 0.5)).isEqualTo(2.5);
    assertThat(WindowsInTurn.quantile(sorted, 0.25)).isCloseTo(1.75, within(1e-12));
    assertThat(WindowsInTurn.quantile(sorted, 0.75)).isCloseTo(3.25, within(1e-12));
  }

  @Test
  void theMedianOfAnOddCountIsTheMiddleOne() {
    double[] sorted = {0.9, 0.95, 1.0, 1.2, 5.0};

    assertThat(WindowsInTurn.quantile(sorted, 0.5)).isEqualTo(1.0);
    assertThat(WindowsInTurn.quantile(sorted, 0.0)).isEqualTo(0.9);
    assertThat(WindowsInTurn.quantile(sorted, 1.0)).isEqualTo(5.0);
  }
}
