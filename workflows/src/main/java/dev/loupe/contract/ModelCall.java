package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One paid model call, as recorded in history and in the sample's provenance.
 *
 * @param stage the stage that made it ({@code describe}, {@code ask}, …)
 * @param endpoint configured endpoint name
 * @param model model name the provider reported (or the configured one)
 * @param template the prompt template id used
 * @param usage tokens and cost
 * @param latencyMillis wall time of the HTTP exchange
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCall(
    String stage,
    String endpoint,
    String model,
    String template,
    Usage usage,
    long latencyMillis) {}
