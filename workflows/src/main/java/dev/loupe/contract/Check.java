package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The verdict of one check on a caption or a QA pair: whether it passed, why, and the figure it
 * judged when it judged one.
 *
 * @param pass whether the check passed
 * @param detail readable reason
 * @param score the figure the verdict rests on (e.g. {@code perplexity}: the caption's perplexity
 *     under the scoring model), or null for checks without one
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Check(boolean pass, String detail, Double score) {

  /** A verdict without a score. */
  public Check(boolean pass, String detail) {
    this(pass, detail, null);
  }
}
