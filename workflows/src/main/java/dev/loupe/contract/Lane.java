package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a stage's model calls travel. Set per recipe stage ({@code lane:}), or for every stage
 * without one by {@code --lane} / {@code "lane"} in the {@code DatasetRequest}; {@link #ONLINE} by
 * default.
 */
public enum Lane {
  /** One synchronous call at the online price. */
  ONLINE("online"),
  /** Grouped with other images' calls into one provider batch, at the batch price. */
  BATCH("batch"),
  /**
   * Synchronous but slow and refusable for capacity, at the batch price (OpenAI {@code
   * service_tier: "flex"}).
   */
  FLEX("flex");

  private final String wireName;

  Lane(String wireName) {
    this.wireName = wireName;
  }

  /** The name in recipes, JSON and on the command line. */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /**
   * The lane a name denotes, in any case.
   *
   * @throws IllegalArgumentException naming the lanes
   */
  @JsonCreator
  public static Lane fromName(String name) {
    for (Lane lane : values()) {
      if (lane.wireName.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
        return lane;
      }
    }
    throw new IllegalArgumentException(
        "lane must be one of "
            + Arrays.stream(values()).map(Lane::wireName).collect(Collectors.joining("|"))
            + ", got '"
            + name
            + "'");
  }
}
