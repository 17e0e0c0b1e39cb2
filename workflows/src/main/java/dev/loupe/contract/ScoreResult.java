package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A caption's score under the scoring model.
 *
 * @param perplexity {@code exp(-meanLogprob)}; null when a token's log-probability was not finite
 *     (the model gives the caption no chance at all)
 * @param meanLogprob the mean natural-log probability of the caption's tokens, each given the
 *     image, the instruction and the tokens before it; null when not finite
 * @param tokens how many tokens of the caption were scored
 * @param call the scoring call
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScoreResult(Double perplexity, Double meanLogprob, int tokens, ModelCall call)
    implements ModelCallResult {}
