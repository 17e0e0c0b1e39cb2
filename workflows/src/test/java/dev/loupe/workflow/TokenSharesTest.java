package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.TokenBudgetState.Holder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenSharesTest {
  private static final long LIMIT = 100_000;

  @Test
  void aProcessAloneGetsTheWholeLimitHoweverLittleItAsks() {
    assertThat(TokenShares.grant(LIMIT, List.of(), 500_000)).isEqualTo(LIMIT);
    assertThat(TokenShares.grant(LIMIT, List.of(), 5_000)).isEqualTo(LIMIT);
  }

  @Test
  void busyProcessesSplitTheLimitEvenly() {
    List<Holder> others = List.of(holder("a", LIMIT, 50_000));

    assertThat(TokenShares.grant(LIMIT, others, LIMIT)).isEqualTo(50_000);
  }

  @Test
  void aModestProcessGetsWhatItAsksAndTheBusyOneTheRest() {
    assertThat(TokenShares.grant(LIMIT, List.of(holder("idle", 5_000, 5_000)), LIMIT))
        .isEqualTo(95_000);
    assertThat(
            TokenShares.grant(
                LIMIT, List.of(holder("busy", LIMIT, 20_000), holder("b", LIMIT, 20_000)), 10_000))
        .as("its demand plus nothing: the busy ones claim the rest")
        .isEqualTo(10_000);
  }

  @Test
  void neverGrantsWhatTheOthersStillHold() {
    List<Holder> others = List.of(holder("a", LIMIT, 90_000));

    assertThat(TokenShares.grant(LIMIT, others, LIMIT)).isEqualTo(10_000);
    assertThat(TokenShares.grant(LIMIT, List.of(holder("a", LIMIT, LIMIT)), LIMIT)).isZero();
  }

  @Test
  void fairShareFillsTheSmallDemandsFirst() {
    assertThat(TokenShares.fairShare(90, List.of(10L, 100L), 100)).isEqualTo(40);
    assertThat(TokenShares.fairShare(90, List.of(10L, 100L), 5)).isEqualTo(5);
    assertThat(TokenShares.fairShare(90, List.of(50L, 50L), 50)).isEqualTo(30);
    assertThat(TokenShares.fairShare(90, List.of(), 200)).isEqualTo(90);
  }

  /**
   * Processes asking in any order with changing demands: the shares held never add up to more than
   * the limit, and once the demands stay put, a few rounds of renewals reach the max-min fair
   * shares.
   */
  @Test
  void leasesHeldStayWithinTheLimitAndConvergeToFairShares() {
    Random random = new Random(13);
    Map<String, Holder> held = new LinkedHashMap<>();
    List<String> workers = List.of("a", "b", "c", "d");
    for (int round = 0; round < 2_000; round++) {
      String asking = workers.get(random.nextInt(workers.size()));
      long demand = 1 + random.nextInt((int) (2 * LIMIT));
      ask(held, asking, demand);
      assertThat(held.values().stream().mapToLong(Holder::granted).sum())
          .isLessThanOrEqualTo(LIMIT);
    }
    Map<String, Long> steady = Map.of("a", 10_000L, "b", LIMIT, "c", 30_000L, "d", LIMIT);
    for (int round = 0; round < 4; round++) {
      for (String worker : workers) {
        ask(held, worker, steady.get(worker));
        assertThat(held.values().stream().mapToLong(Holder::granted).sum())
            .isLessThanOrEqualTo(LIMIT);
      }
    }
    assertThat(held.get("a").granted()).isEqualTo(10_000);
    assertThat(held.get("c").granted()).isEqualTo(30_000);
    assertThat(held.get("b").granted()).isEqualTo(30_000);
    assertThat(held.get("d").granted()).isEqualTo(30_000);
  }

  private static void ask(Map<String, Holder> held, String worker, long demand) {
    held.remove(worker);
    long granted = TokenShares.grant(LIMIT, new ArrayList<>(held.values()), demand);
    held.put(worker, holder(worker, demand, granted));
  }

  private static Holder holder(String worker, long demand, long granted) {
    return new Holder(worker, demand, granted, Long.MAX_VALUE, null, 0);
  }
}
