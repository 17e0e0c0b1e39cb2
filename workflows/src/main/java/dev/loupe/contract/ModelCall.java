package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One model call, as recorded in history and in the sample's provenance.
 *
 * @param stage the stage that made it ({@code describe}, {@code ask}, …)
 * @param endpoint configured endpoint name
 * @param model model name the provider reported (or the configured one)
 * @param template the prompt template id used
 * @param usage tokens and cost
 * @param latencyMillis wall time of the HTTP exchange; 0 for a cache hit, which sent none
 * @param lane how it travelled: {@code online}, {@code batch}, {@code flex}, or {@value #CACHE}
 *     when the response cache answered it; {@code online} when null (older records)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCall(
    String stage,
    String endpoint,
    String model,
    String template,
    Usage usage,
    long latencyMillis,
    String lane) {

  /** The lane name of calls answered from the response cache. */
  public static final String CACHE = "cache";

  /** An online call. */
  public ModelCall(
      String stage,
      String endpoint,
      String model,
      String template,
      Usage usage,
      long latencyMillis) {
    this(stage, endpoint, model, template, usage, latencyMillis, Lane.ONLINE.wireName());
  }

  public String laneOrDefault() {
    return lane == null ? Lane.ONLINE.wireName() : lane;
  }
}
