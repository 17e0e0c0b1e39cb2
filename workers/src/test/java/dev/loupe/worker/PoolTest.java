package dev.loupe.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoolTest {

  @Test
  void namedPoolsAreParsedRepeatedOrCommaSeparated() {
    assertThat(Pool.parse(List.of("captioner", "workflows,cpu"), false))
        .containsExactlyInAnyOrder(Pool.CAPTIONER, Pool.WORKFLOWS, Pool.CPU);
  }

  @Test
  void allIncludesTheCaptionerOnlyWhereAModelIsConfigured() {
    assertThat(Pool.parse(List.of("all"), false))
        .containsExactlyInAnyOrder(Pool.WORKFLOWS, Pool.CPU, Pool.API);
    assertThat(Pool.parse(List.of("all"), true))
        .containsExactlyInAnyOrder(Pool.WORKFLOWS, Pool.CPU, Pool.API, Pool.CAPTIONER);
  }

  @Test
  void unknownPoolIsNamed() {
    assertThatThrownBy(() -> Pool.parse(List.of("gpu"), true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown pool 'gpu'")
        .hasMessageContaining("captioner");
  }
}
