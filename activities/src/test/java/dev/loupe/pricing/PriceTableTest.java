package dev.loupe.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.loupe.provider.ProviderKind;
import dev.loupe.recipe.ProjectConfig;
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
}
