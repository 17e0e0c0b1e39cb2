package dev.loupe.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loupe.contract.Lane;
import dev.loupe.contract.RunPlan;
import dev.loupe.provider.ProviderKind;
import dev.loupe.recipe.ProjectConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PriceTableTest {

  @Test
  void everyProvidersDefaultModelIsPriced() throws Exception {
    PriceTable prices = PriceTable.load(ProjectConfig.files());

    for (ProviderKind kind : ProviderKind.values()) {
      assertThat(prices.knows(kind.defaultModel())).as(kind.defaultModel()).isTrue();
    }
  }

  @Test
  void costIsPerMillionTokensAndZeroForUnpricedModels() {
    PriceTable prices = new PriceTable(Map.of("m", new PriceTable.Price(2.0, 8.0)));

    assertThat(prices.cost("m", 1_000_000, 500_000)).isCloseTo(6.0, within(1e-9));
    assertThat(prices.cost("unknown", 1_000_000, 1_000_000)).isZero();
  }

  @Test
  void aCallIsPricedByLaneWithCachedInputAtTheCacheRate() {
    PriceTable prices =
        new PriceTable(Map.of("m", new PriceTable.Price(2.0, 8.0, 0.5, 2.5, 1.0, 4.0)));
    PriceTable.Tokens tokens = new PriceTable.Tokens(1_000_000, 100_000, 400_000, 100_000);

    PriceTable.Charge online = prices.charge("m", Lane.ONLINE, tokens);
    PriceTable.Charge batch = prices.charge("m", Lane.BATCH, tokens);
    PriceTable.Charge flex = prices.charge("m", Lane.FLEX, tokens);

    // 500k plain × $2 + 400k cached × $0.5 + 100k written × $2.5 + 100k out × $8
    assertThat(online.paidUsd()).isCloseTo(1.0 + 0.2 + 0.25 + 0.8, within(1e-9));
    assertThat(online.onlineUsd()).isCloseTo(2.0 + 0.8, within(1e-9));
    assertThat(online.savedUsd()).isCloseTo(0.55, within(1e-9));
    // The batch discount (half) applies to cached and written input too.
    assertThat(batch.paidUsd()).isCloseTo(0.5 + 0.1 + 0.125 + 0.4, within(1e-9));
    assertThat(flex.paidUsd()).isEqualTo(batch.paidUsd());
    assertThat(prices.charge("unknown", Lane.ONLINE, tokens)).isEqualTo(PriceTable.Charge.NONE);
  }

  @Test
  void theShippedPricesHaveCacheAndBatchRatesBelowOnline() throws Exception {
    PriceTable prices = PriceTable.load(ProjectConfig.files());
    PriceTable.Tokens tokens = new PriceTable.Tokens(1_000_000, 1_000_000, 0, 0);

    for (ProviderKind kind : ProviderKind.values()) {
      String model = kind.defaultModel();
      assertThat(prices.charge(model, Lane.BATCH, tokens).paidUsd())
          .as(model)
          .isCloseTo(prices.cost(model, 1_000_000, 1_000_000) / 2, within(1e-9));
    }
  }

  @Test
  void theWorstCaseOfAnImageCountsEveryCallAtItsLanesPrice() {
    PriceTable prices = new PriceTable(Map.of("m", new PriceTable.Price(1.0, 10.0)));
    Map<String, RunPlan.StagePlan> stages = new java.util.LinkedHashMap<>();
    stages.put(RunPlan.DESCRIBE, stage(1, 1000, List.of()));
    stages.put(RunPlan.ASK, stage(3, 100, List.of()));
    stages.put(RunPlan.ANSWER, stage(1, 500, List.of()));
    stages.put(RunPlan.EVALUATE, stage(1, 100, List.of("self_evaluation", "grammar")));
    RunPlan plan = new RunPlan("r", "h", 1, 1, stages, Map.of());

    // describe 1 call, ask 1, answer 3 (one per question), evaluate 3 × (1 + 1 grammar call);
    // each call 4000 input tokens at $1/M plus its output cap at $10/M.
    double expected = (0.004 + 0.010) + (0.004 + 0.001) + 3 * (0.004 + 0.005) + 6 * (0.004 + 0.001);
    assertThat(WorstCase.perImage(plan, prices)).isCloseTo(expected, within(1e-9));
  }

  private static RunPlan.StagePlan stage(int questions, int maxOutput, List<String> checks) {
    return new RunPlan.StagePlan(
        List.of("e"), "m", List.of("t"), questions, maxOutput, checks, RunPlan.StagePlan.API_POOL);
  }
}
