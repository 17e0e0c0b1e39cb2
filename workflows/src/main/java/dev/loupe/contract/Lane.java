package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a stage's model calls travel: {@code online} (one synchronous call each), {@code batch} (the
 * provider's batch API: half price, answered within its completion window) or {@code flex}
 * (half-price synchronous calls that may be slow or refused for capacity).
 */
public enum Lane {
  ONLINE,
  BATCH,
  FLEX;

  /** The name in recipes, requests and on the command line, e.g. {@code batch}. */
  @JsonValue
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The lane a name denotes.
   *
   * @throws IllegalArgumentException naming the lanes there are
   */
  @JsonCreator
  public static Lane fromName(String name) {
    for (Lane lane : values()) {
      if (lane.configName().equals(name)) {
        return lane;
      }
    }
    throw new IllegalArgumentException(
        "lane must be one of 'online', 'batch', 'flex', got '" + name + "'");
  }
}
