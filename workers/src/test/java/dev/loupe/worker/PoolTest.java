package dev.loupe.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolTest {
  @Test
  void parsesRepeatedCommaSeparatedAndAll() {
    assertThat(Pool.parse(List.of("cpu", "api"))).containsExactlyInAnyOrder(Pool.CPU, Pool.API);
    assertThat(Pool.parse(List.of("workflows,cpu")))
        .containsExactlyInAnyOrder(Pool.WORKFLOWS, Pool.CPU);
    assertThat(Pool.parse(List.of("all"))).isEqualTo(EnumSet.allOf(Pool.class));
  }

  @Test
  void unknownPoolIsNamed() {
    assertThatThrownBy(() -> Pool.parse(List.of("gpu")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown pool 'gpu'");
  }
}
