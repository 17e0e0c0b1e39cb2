package dev.loupe.contract;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Model calls, served on one {@link TaskQueues#api(String)} queue per configured endpoint. Each
 * method makes one paid call; failures are classified as {@link FailureType}s and retried by
 * Temporal alone.
 */
@ActivityInterface(namePrefix = "Api")
public interface ApiActivities {

  /** A detailed, ShareGPT4V-style caption of the image. */
  @ActivityMethod
  CaptionResult describe(DescribeRequest request);

  /** Self-questioning: questions about the image, as structured output. */
  @ActivityMethod
  QuestionsResult ask(AskRequest request);

  /** A detailed answer to one question with the caption as context. */
  @ActivityMethod
  AnswerResult answer(AnswerRequest request);

  /** Self-evaluation: is the question meaningful and the answer correct, as structured output. */
  @ActivityMethod
  VerdictResult evaluate(EvaluateRequest request);
}
