package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * @param text the caption
 * @param call the paid call that made it
 * @param task the short-form task it was written for ({@code brief_caption}), or null for a
 *     detailed caption
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CaptionResult(String text, ModelCall call, String task) implements ModelCallResult {

  /** A detailed caption. */
  public CaptionResult(String text, ModelCall call) {
    this(text, call, null);
  }

  /** This caption, marked as written for {@code task}. */
  public CaptionResult withTask(String task) {
    return new CaptionResult(text, call, task);
  }
}
