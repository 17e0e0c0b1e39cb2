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

  /** ALLaVA single-call mode: caption, one question and its answer from one structured call. */
  @ActivityMethod
  CombinedResult describeAskAnswer(DescribeRequest request);

  /** CapFusion: merges the model's caption with the source's alt text (text only). */
  @ActivityMethod
  CaptionResult fuse(FuseRequest request);

  /** Self-reasoning: a rationale for an answer. */
  @ActivityMethod
  AnswerResult reason(ReasonRequest request);

  /** Whether answers to the same question agree (consistency and answerable-without-image). */
  @ActivityMethod
  AgreementResult compare(CompareRequest request);

  /** Whether a question and answer are free of grammar errors (dropped, never repaired). */
  @ActivityMethod
  GrammarResult checkGrammar(GrammarRequest request);

  /**
   * POINTS1.5's perplexity filter: the log-probabilities the endpoint's model gives the caption's
   * tokens after the image and a fixed instruction. Only endpoints that return prompt
   * log-probabilities (vLLM) can; any other fails as {@link FailureType#BAD_REQUEST} naming the
   * endpoint. Never cached and never in the batch lane.
   */
  @ActivityMethod
  ScoreResult scoreCaption(ScoreRequest request);
}
