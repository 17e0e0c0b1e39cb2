package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param image the probed image
 * @param endpoint the endpoint this call goes to
 * @param stage the answer stage's settings
 * @param caption the caption, given as context (ALLaVA)
 * @param question the question to answer
 * @param lang prompt language
 * @param ocr the image's OCR text, or null
 * @param context what the call sees besides the question
 * @param template a template id to use instead of the sampled one (multi-prompt consistency), or
 *     null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AnswerRequest(
    ImageInfo image,
    String endpoint,
    RunPlan.StagePlan stage,
    String caption,
    Question question,
    String lang,
    String ocr,
    AnswerContext context,
    String template) {

  public AnswerContext contextOrFull() {
    return context == null ? AnswerContext.FULL : context;
  }
}
