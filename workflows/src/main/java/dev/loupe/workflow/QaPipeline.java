package dev.loupe.workflow;

import dev.loupe.contract.AgreementResult;
import dev.loupe.contract.AnswerContext;
import dev.loupe.contract.AnswerRequest;
import dev.loupe.contract.AnswerResult;
import dev.loupe.contract.Check;
import dev.loupe.contract.CompareRequest;
import dev.loupe.contract.EvaluateRequest;
import dev.loupe.contract.GrammarRequest;
import dev.loupe.contract.GrammarResult;
import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.Question;
import dev.loupe.contract.ReasonRequest;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.contract.VerdictResult;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One question's way through answer → reason → checks, inside {@link ImageWorkflowImpl}. Checks of
 * a pair run concurrently. A failure that rejects (a refusal, output that stayed malformed) fails
 * that check or pair only; a failure that fails (an endpoint down after retries) propagates and
 * fails the image, so that {@code retryFailed} can run it again.
 */
final class QaPipeline {
  static final String SELF_EVALUATION = "self_evaluation";
  static final String MULTI_PROMPT = "multi_prompt_consistency";
  static final String MULTI_CONTEXT = "multi_context_consistency";
  static final String BLIND = "answerable_without_image";
  static final String GRAMMAR = "grammar";

  private final RunPlan plan;
  private final ImageInfo image;
  private final String caption;
  private final String ocr;
  private final String lang;
  private final ActivityStubs stubs;
  private final List<ModelCall> calls;

  QaPipeline(
      RunPlan plan,
      ImageInfo image,
      String caption,
      String ocr,
      String lang,
      ActivityStubs stubs,
      List<ModelCall> calls) {
    this.plan = plan;
    this.image = image;
    this.caption = caption;
    this.ocr = ocr;
    this.lang = lang;
    this.stubs = stubs;
    this.calls = calls;
  }

  /** Answers the questions concurrently, each through its checks. */
  List<QaPair> answerAll(List<Question> questions) {
    List<Promise<QaPair>> pairs = new ArrayList<>();
    for (Question question : questions) {
      pairs.add(Async.function(() -> answerAndCheck(question)));
    }
    List<QaPair> results = new ArrayList<>();
    for (Promise<QaPair> pair : pairs) {
      results.add(pair.get());
    }
    return results;
  }

  QaPair answerAndCheck(Question question) {
    AnswerResult answer;
    try {
      answer = answer(question, AnswerContext.FULL, null);
    } catch (TemporalFailure failure) {
      return rejectedPair(question, RunPlan.ANSWER, failureCheck(RunPlan.ANSWER, failure));
    }
    return check(question, answer.text(), answer.call().template());
  }

  /**
   * Reasons about and checks an answer.
   *
   * @param primaryTemplate the template the answer came from, left out of multi-prompt wordings
   */
  QaPair check(Question question, String answer, String primaryTemplate) {
    Map<String, Check> checks = new LinkedHashMap<>();
    String reasoning = null;
    if (plan.has(RunPlan.REASON)) {
      try {
        reasoning = reason(question, answer);
      } catch (TemporalFailure failure) {
        checks.put(RunPlan.REASON, failureCheck(RunPlan.REASON, failure));
      }
    }
    if (plan.has(RunPlan.EVALUATE)) {
      Map<String, Promise<Check>> pending = new LinkedHashMap<>();
      for (String name : plan.stage(RunPlan.EVALUATE).checks()) {
        pending.put(name, Async.function(() -> runCheck(name, question, answer, primaryTemplate)));
      }
      pending.forEach((name, check) -> checks.put(name, check.get()));
    }
    boolean accepted = checks.values().stream().allMatch(Check::pass);
    return new QaPair(question.text(), question.type(), answer, reasoning, checks, accepted);
  }

  private Check runCheck(String name, Question question, String answer, String primaryTemplate) {
    try {
      return switch (name) {
        case SELF_EVALUATION -> selfEvaluation(question, answer);
        case MULTI_PROMPT -> multiPrompt(question, answer, primaryTemplate);
        case MULTI_CONTEXT -> multiContext(question, answer);
        case BLIND -> answerableWithoutImage(question, answer);
        case GRAMMAR -> grammar(question, answer);
        case ShortForms.ANSWER_FORM ->
            ShortForms.answerForm(question, answer, plan.checkSettingsOrDefault());
        default -> new Check(false, "unknown check " + name);
      };
    } catch (TemporalFailure failure) {
      return failureCheck(name, failure);
    }
  }

  private Check selfEvaluation(Question question, String answer) {
    StagePlan evaluate = plan.stage(RunPlan.EVALUATE);
    VerdictResult verdict =
        Fallback.call(
            evaluate,
            endpoint ->
                stubs
                    .api(endpoint, evaluate)
                    .evaluate(
                        new EvaluateRequest(
                            image, endpoint, evaluate, caption, question, answer, lang, ocr)));
    calls.add(verdict.call());
    return new Check(
        verdict.pass(),
        "meaningful="
            + verdict.meaningful()
            + ", correct="
            + verdict.correct()
            + (verdict.detail() == null || verdict.detail().isBlank()
                ? ""
                : ": " + verdict.detail()));
  }

  /** TextSquare's multi-prompt consistency: other wordings of the answer prompt must agree. */
  private Check multiPrompt(Question question, String answer, String primaryTemplate) {
    List<String> alternatives = new ArrayList<>();
    for (String template : plan.stage(RunPlan.ANSWER).templates()) {
      if (!template.equals(primaryTemplate)
          && alternatives.size() < plan.checkSettingsOrDefault().consistencyPrompts()) {
        alternatives.add(template);
      }
    }
    if (alternatives.isEmpty()) {
      return new Check(false, "the answer stage has no other template to compare with");
    }
    List<Promise<AnswerResult>> others = new ArrayList<>();
    for (String template : alternatives) {
      others.add(Async.function(() -> answer(question, AnswerContext.FULL, template)));
    }
    return agreement(MULTI_PROMPT, question, answer, texts(others), true);
  }

  /** TextSquare's multi-context consistency: answers with other context before the question. */
  private Check multiContext(Question question, String answer) {
    List<Promise<AnswerResult>> others = new ArrayList<>();
    others.add(Async.function(() -> answer(question, AnswerContext.IMAGE_ONLY, null)));
    if (ocr != null && !ocr.isBlank()) {
      others.add(Async.function(() -> answer(question, AnswerContext.OCR_ONLY, null)));
    }
    return agreement(MULTI_CONTEXT, question, answer, texts(others), true);
  }

  /** POINTS1.5: a question answered correctly without the image teaches nothing about images. */
  private Check answerableWithoutImage(Question question, String answer) {
    AnswerResult blind = answer(question, AnswerContext.BLIND, null);
    return agreement(BLIND, question, answer, List.of(blind.text()), false);
  }

  private Check grammar(Question question, String answer) {
    StagePlan evaluate = plan.stage(RunPlan.EVALUATE);
    GrammarResult result =
        Fallback.call(
            evaluate,
            endpoint ->
                stubs
                    .api(endpoint, evaluate)
                    .checkGrammar(
                        new GrammarRequest(
                            endpoint, evaluate, image.sha256(), question.text(), answer, lang)));
    calls.add(result.call());
    return new Check(result.grammatical(), result.detail());
  }

  /**
   * Asks the judge whether the answers agree; the check passes on agreement, or on disagreement
   * when {@code passWhenAgreeing} is false.
   */
  private Check agreement(
      String check,
      Question question,
      String answer,
      List<String> others,
      boolean passWhenAgreeing) {
    StagePlan evaluate = plan.stage(RunPlan.EVALUATE);
    AgreementResult result =
        Fallback.call(
            evaluate,
            endpoint ->
                stubs
                    .api(endpoint, evaluate)
                    .compare(
                        new CompareRequest(
                            endpoint,
                            evaluate,
                            image.sha256(),
                            check,
                            question.text(),
                            answer,
                            others,
                            lang)));
    calls.add(result.call());
    boolean pass = result.agree() == passWhenAgreeing;
    String verdict = result.agree() ? "answers agree" : "answers differ";
    return new Check(pass, verdict + (result.detail() == null ? "" : ": " + result.detail()));
  }

  private AnswerResult answer(Question question, AnswerContext context, String template) {
    StagePlan stage = plan.stage(RunPlan.ANSWER);
    AnswerResult result =
        Fallback.call(
            stage,
            endpoint ->
                stubs
                    .api(endpoint, stage)
                    .answer(
                        new AnswerRequest(
                            image, endpoint, stage, caption, question, lang, ocr, context,
                            template)));
    calls.add(result.call());
    return result;
  }

  private String reason(Question question, String answer) {
    StagePlan stage = plan.stage(RunPlan.REASON);
    AnswerResult result =
        Fallback.call(
            stage,
            endpoint ->
                stubs
                    .api(endpoint, stage)
                    .reason(
                        new ReasonRequest(
                            image, endpoint, stage, caption, ocr, question, answer, lang)));
    calls.add(result.call());
    return result.text();
  }

  private static List<String> texts(List<Promise<AnswerResult>> answers) {
    List<String> texts = new ArrayList<>();
    for (Promise<AnswerResult> answer : answers) {
      texts.add(answer.get().text());
    }
    return texts;
  }

  /** A rejecting failure becomes a failed check; a failing one propagates. */
  private static Check failureCheck(String stage, TemporalFailure failure) {
    StageFailure stageFailure = StageFailure.of(stage, failure);
    if (stageFailure.status() == ImageStatus.FAILED) {
      throw failure;
    }
    return new Check(false, stageFailure.reason() + ": " + stageFailure.detail());
  }

  private static QaPair rejectedPair(Question question, String stage, Check failed) {
    return new QaPair(question.text(), question.type(), null, null, Map.of(stage, failed), false);
  }
}
