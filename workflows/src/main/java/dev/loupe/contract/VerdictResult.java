package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A self-evaluation verdict, validated from structured output.
 *
 * @param meaningful whether the question is meaningful for the image
 * @param correct whether the answer is correct
 * @param detail the judge's short explanation
 * @param call the paid call that made it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VerdictResult(boolean meaningful, boolean correct, String detail, ModelCall call)
    implements ModelCallResult {

  public boolean pass() {
    return meaningful && correct;
  }
}
