package dev.loupe.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.recipe.ConfigFiles;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Prices per million input and output tokens, by model, from {@code prices.yaml}. A model missing
 * from the table costs 0 and is reported as unpriced, never guessed.
 */
public final class PriceTable {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Map<String, Price> prices;

  public PriceTable(Map<String, Price> prices) {
    this.prices = Map.copyOf(prices);
  }

  /** USD per million tokens. */
  public record Price(double input, double output) {
    public Price {
      if (input < 0 || output < 0) {
        throw new IllegalArgumentException("prices must not be negative");
      }
    }
  }

  record File(Map<String, Price> models) {}

  public static PriceTable load(ConfigFiles files) throws IOException {
    Optional<String> text = files.read("prices.yaml");
    if (text.isEmpty()) {
      return new PriceTable(Map.of());
    }
    File file = YAML.readValue(text.get(), File.class);
    return new PriceTable(file.models() == null ? Map.of() : file.models());
  }

  public boolean knows(String model) {
    return prices.containsKey(model);
  }

  /** Cost in USD of one call; 0 for unpriced models. */
  public double cost(String model, long inputTokens, long outputTokens) {
    Price price = prices.get(model);
    if (price == null) {
      return 0;
    }
    return (inputTokens * price.input() + outputTokens * price.output()) / 1_000_000.0;
  }
}
