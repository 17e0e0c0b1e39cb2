package dev.loupe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatabaseStatsTest {

  @Test
  void theDifferenceOfTwoReadingsIsWhatEachDatabaseGained() {
    DatabaseStats before =
        DatabaseStats.parse(
            List.of(
                "temporal\thistory_node\t100\t0\t0\t100\t81920",
                "temporal\texecutions\t10\t50\t2\t8\t16384",
                "temporal_visibility\texecutions_visibility\t10\t20\t0\t10\t8192",
                "wal\t1000000"));
    DatabaseStats after =
        DatabaseStats.parse(
            List.of(
                "temporal\thistory_node\t400\t0\t0\t400\t163840",
                "temporal\texecutions\t20\t150\t12\t8\t16384",
                "temporal\ttimer_tasks\t5\t0\t5\t0\t8192",
                "temporal_visibility\texecutions_visibility\t20\t40\t0\t20\t16384",
                "",
                "wal\t3000000"));

    DatabaseStats gained = after.minus(before);

    assertThat(gained.walBytes()).isEqualTo(2_000_000);
    assertThat(gained.database("temporal"))
        .isEqualTo(new DatabaseStats.Table(315, 100, 15, 300, 90112));
    assertThat(gained.database("temporal_visibility"))
        .isEqualTo(new DatabaseStats.Table(10, 20, 0, 10, 8192));
    assertThat(gained.total().rows()).isEqualTo(310);
    assertThat(gained.busiest(1).getFirst().getKey()).isEqualTo("temporal.history_node");
  }

  @Test
  void aReadingWithoutTheWalPositionIsRefused() {
    assertThatThrownBy(
            () -> DatabaseStats.parse(List.of("temporal\thistory_node\t1\t0\t0\t1\t8192")))
        .hasMessageContaining("wal");
  }
}
