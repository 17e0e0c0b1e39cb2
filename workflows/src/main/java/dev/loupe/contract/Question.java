package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A generated question.
 *
 * @param text the question; for a multiple-choice question it lists the options too, as the
 *     answering model and the training sample see it
 * @param type its kind: {@code reasoning}, {@code text_reading}, {@code counting}, {@code layout}…,
 *     or the short-form task ({@code short_answer}, {@code multiple_choice}) of the ask stage
 * @param options a multiple-choice question's options, in order (letters A, B, …); null otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Question(String text, String type, List<String> options) {

  /** A question without options. */
  public Question(String text, String type) {
    this(text, type, null);
  }

  public List<String> optionsOrEmpty() {
    return options == null ? List.of() : options;
  }
}
