package dev.loupe.provider;

import dev.loupe.provider.ModelRequest.PreparedImage;

/**
 * Scores a caption by the log-probabilities a model gives its tokens, each after the image, an
 * instruction and the caption's earlier tokens (POINTS1.5's perplexity filter). Only servers that
 * return prompt log-probabilities can: vLLM does; the OpenAI, Gemini and Anthropic APIs do not. One
 * exchange or two per call, never retried; failures are {@link ProviderException}s.
 */
public interface CaptionScorer {

  Score score(Request request) throws ProviderException;

  /**
   * @param model the model at the endpoint
   * @param instruction the user turn's text the caption answers
   * @param image the image, or null to score the caption after the instruction alone
   * @param caption the caption to score, sent as the assistant's turn
   */
  record Request(String model, String instruction, PreparedImage image, String caption) {}

  /**
   * @param logprobs the natural-log probability of each of the caption's tokens, in order
   * @param promptTokens the tokens of the whole prompt the server read (its usage)
   * @param model the model the server reported, or null
   * @param latencyMillis wall time of the exchanges
   */
  record Score(double[] logprobs, long promptTokens, String model, long latencyMillis) {

    public int tokens() {
      return logprobs.length;
    }

    /** The mean log-probability, or null when there is no token or a token's is not finite. */
    public Double meanLogprob() {
      if (logprobs.length == 0) {
        return null;
      }
      double sum = 0;
      for (double logprob : logprobs) {
        sum += logprob;
      }
      double mean = sum / logprobs.length;
      return Double.isFinite(mean) ? mean : null;
    }

    /** {@code exp(-meanLogprob)}, or null when that is not a finite number. */
    public Double perplexity() {
      Double mean = meanLogprob();
      if (mean == null) {
        return null;
      }
      double perplexity = Math.exp(-mean);
      return Double.isFinite(perplexity) ? perplexity : null;
    }
  }
}
