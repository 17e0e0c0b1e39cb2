package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A caption to score with the log-probabilities the scoring model gives its tokens (POINTS1.5's
 * perplexity filter). Served on the scoring endpoint's {@link TaskQueues#api(String)} queue.
 *
 * @param image the image the caption describes, or null to score the text alone (the start-time
 *     probe)
 * @param endpoint the scoring endpoint (an OpenAI-compatible server that returns prompt
 *     log-probabilities, such as vLLM)
 * @param model the model at that endpoint
 * @param caption the caption to score
 * @param lang the language of the instruction the caption answers ({@code en}, {@code zh})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScoreRequest(
    ImageInfo image, String endpoint, String model, String caption, String lang) {}
