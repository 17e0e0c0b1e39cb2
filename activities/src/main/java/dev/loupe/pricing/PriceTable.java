package dev.loupe.pricing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.contract.Lane;
import dev.loupe.recipe.ConfigFiles;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Prices per million tokens, by model, from {@code prices.yaml}: online input and output, cached
 * input (prompt-cache reads), cache writes (Anthropic), and the batch lane's input and output (the
 * flex lane is priced like batch). A model missing from the table costs 0 and is reported as
 * unpriced, never guessed; a rate missing from a model's entry is its online rate.
 */
public final class PriceTable {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Map<String, Price> prices;

  public PriceTable(Map<String, Price> prices) {
    this.prices = Map.copyOf(prices);
  }

  /**
   * USD per million tokens.
   *
   * @param cachedInput input read from the provider's prompt cache; {@code input} when null
   * @param cacheWrite input written to the prompt cache; {@code input} when null
   * @param batchInput input in the batch and flex lanes; {@code input} when null
   * @param batchOutput output in the batch and flex lanes; {@code output} when null
   */
  public record Price(
      double input,
      double output,
      Double cachedInput,
      Double cacheWrite,
      Double batchInput,
      Double batchOutput) {
    public Price {
      for (Double rate :
          new Double[] {input, output, cachedInput, cacheWrite, batchInput, batchOutput}) {
        if (rate != null && rate < 0) {
          throw new IllegalArgumentException("prices must not be negative");
        }
      }
    }

    /** Online rates only. */
    public Price(double input, double output) {
      this(input, output, null, null, null, null);
    }

    private double inputIn(Lane lane) {
      return lane == Lane.ONLINE || batchInput == null ? input : batchInput;
    }

    private double outputIn(Lane lane) {
      return lane == Lane.ONLINE || batchOutput == null ? output : batchOutput;
    }

    /** A lane's discount applies to cached input too (both providers stack them). */
    private double laneShare(Lane lane) {
      return input == 0 ? 1 : inputIn(lane) / input;
    }
  }

  /**
   * What one call cost and what the same tokens cost online without any cache.
   *
   * @param paidUsd at the lane's rates, cached input at cache rates
   * @param onlineUsd every input token at the online input rate, output at the online output rate
   */
  public record Charge(double paidUsd, double onlineUsd) {
    public static final Charge NONE = new Charge(0, 0);

    /** What the lane and the prompt cache saved: {@code onlineUsd - paidUsd}. */
    public double savedUsd() {
      return onlineUsd - paidUsd;
    }
  }

  /**
   * A call's tokens as the provider reported them.
   *
   * @param input all input tokens, cached ones included
   * @param cachedInput the part of {@code input} read from the prompt cache
   * @param cacheWrite the part of {@code input} written to the prompt cache
   */
  public record Tokens(long input, long output, long cachedInput, long cacheWrite) {}

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

  /** Cost in USD of one online call without cached input; 0 for unpriced models. */
  public double cost(String model, long inputTokens, long outputTokens) {
    return charge(model, Lane.ONLINE, new Tokens(inputTokens, outputTokens, 0, 0)).paidUsd();
  }

  /** One call in {@code lane}; {@link Charge#NONE} for unpriced models. */
  public Charge charge(String model, Lane lane, Tokens tokens) {
    Price price = prices.get(model);
    if (price == null) {
      return Charge.NONE;
    }
    long cached = Math.max(0, tokens.cachedInput());
    long written = Math.max(0, tokens.cacheWrite());
    long plain = Math.max(0, tokens.input() - cached - written);
    double share = price.laneShare(lane);
    double cachedRate = (price.cachedInput() == null ? price.input() : price.cachedInput()) * share;
    double writeRate = (price.cacheWrite() == null ? price.input() : price.cacheWrite()) * share;
    double paid =
        plain * price.inputIn(lane)
            + cached * cachedRate
            + written * writeRate
            + tokens.output() * price.outputIn(lane);
    double online = tokens.input() * price.input() + tokens.output() * price.output();
    return new Charge(paid / 1_000_000.0, online / 1_000_000.0);
  }

  /**
   * The most a call can cost: {@code inputTokens} and {@code maxOutputTokens} at the lane's rates,
   * nothing cached; 0 for unpriced models.
   */
  public double worstCase(String model, Lane lane, long inputTokens, long maxOutputTokens) {
    return charge(model, lane, new Tokens(inputTokens, maxOutputTokens, 0, 0)).paidUsd();
  }
}
