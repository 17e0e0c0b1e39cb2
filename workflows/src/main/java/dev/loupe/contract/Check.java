package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The verdict of one check on a caption or a QA pair: whether it passed, why, and, for a check that
 * measures something, the figure it judged and the bound it held it to.
 *
 * @param pass whether the check passed
 * @param detail readable reason
 * @param score the figure the verdict rests on (e.g. {@code perplexity}: the caption's perplexity
 *     under the scoring model), or null for checks without one
 * @param threshold the bound {@code score} was held to (e.g. {@code perplexity}: {@code
 *     maxPerplexity}, or the run's cut when the run keeps its lowest share), or null when there was
 *     none (yet)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Check(boolean pass, String detail, Double score, Double threshold) {

  /** A verdict without a score. */
  public Check(boolean pass, String detail) {
    this(pass, detail, null, null);
  }

  /** A verdict with a score and no bound. */
  public Check(boolean pass, String detail, Double score) {
    this(pass, detail, score, null);
  }
}
