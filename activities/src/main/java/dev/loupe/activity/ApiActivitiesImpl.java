package dev.loupe.activity;

import dev.loupe.contract.AgreementResult;
import dev.loupe.contract.AnswerContext;
import dev.loupe.contract.AnswerRequest;
import dev.loupe.contract.AnswerResult;
import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.AskRequest;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.CombinedResult;
import dev.loupe.contract.CompareRequest;
import dev.loupe.contract.DescribeRequest;
import dev.loupe.contract.EvaluateRequest;
import dev.loupe.contract.FuseRequest;
import dev.loupe.contract.GrammarRequest;
import dev.loupe.contract.GrammarResult;
import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.QuestionsResult;
import dev.loupe.contract.ReasonRequest;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.VerdictResult;
import dev.loupe.image.BadImageException;
import dev.loupe.prompt.PromptTemplate;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ProviderException;
import dev.loupe.stage.PromptValues;
import dev.loupe.stage.StageRunner;
import dev.loupe.stage.StructuredOutputs;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Model calls of the API pool: unpack, run the stage, parse, classify failures once. Each call runs
 * on its own virtual thread while the activity heartbeats every {@code heartbeatEvery}, so the
 * calls of a worker that dies are retried within the heartbeat timeout.
 */
public final class ApiActivitiesImpl implements ApiActivities {
  /** The check whose comparison is against an answer written without the image. */
  static final String BLIND_CHECK = "answerable_without_image";

  private final StageRunner runner;
  private final StructuredOutputs outputs;
  private final HeartbeatingCall heartbeating;

  /**
   * @param heartbeatEvery how often a call that is still waiting heartbeats; well inside the API
   *     activities' heartbeat timeout
   */
  public ApiActivitiesImpl(StageRunner runner, StructuredOutputs outputs, Duration heartbeatEvery) {
    this.runner = runner;
    this.outputs = outputs;
    this.heartbeating =
        new HeartbeatingCall(Executors.newVirtualThreadPerTaskExecutor(), heartbeatEvery);
  }

  @Override
  public CaptionResult describe(DescribeRequest request) {
    return call(
        scheduledAt -> {
          StageRunner.Output output =
              withImage(
                  scheduledAt,
                  RunPlan.DESCRIBE,
                  request.stage(),
                  request.endpoint(),
                  request.image(),
                  lang(request.lang()),
                  PromptValues.create()
                      .with("alt_text", request.altText())
                      .with("ocr", request.ocr())
                      .toMap(),
                  null);
          return new CaptionResult(output.text().strip(), output.call());
        });
  }

  @Override
  public QuestionsResult ask(AskRequest request) {
    return call(
        scheduledAt -> {
          StageRunner.Output output =
              withImage(
                  scheduledAt,
                  RunPlan.ASK,
                  request.stage(),
                  request.endpoint(),
                  request.image(),
                  lang(request.lang()),
                  PromptValues.create()
                      .with("caption", request.caption())
                      .with("ocr", request.ocr())
                      .with("count", Integer.toString(request.stage().questions()))
                      .toMap(),
                  outputs.questionsSchema());
          return new QuestionsResult(
              outputs.parseQuestions(output.text(), request.stage().questions()), output.call());
        });
  }

  @Override
  public AnswerResult answer(AnswerRequest request) {
    return call(
        scheduledAt -> {
          AnswerContext context = request.contextOrFull();
          String lang = lang(request.lang());
          PromptTemplate template =
              switch (context) {
                case FULL ->
                    request.template() == null ? null : runner.prompts().get(request.template());
                case IMAGE_ONLY -> runner.prompts().named("checks/answer-image-only", lang);
                case OCR_ONLY -> runner.prompts().named("checks/answer-ocr-only", lang);
                case BLIND -> runner.prompts().named("checks/answer-blind", lang);
              };
          PromptValues values = PromptValues.create().with("question", request.question().text());
          if (context == AnswerContext.FULL) {
            values.with("caption", request.caption()).with("ocr", request.ocr());
          } else if (context == AnswerContext.OCR_ONLY) {
            values.with("ocr", request.ocr());
          }
          StageRunner.Output output =
              runner.run(
                  scheduledAt,
                  new StageRunner.Call(
                      RunPlan.ANSWER,
                      request.stage(),
                      request.endpoint(),
                      request.image().sha256(),
                      context == AnswerContext.BLIND ? null : request.image(),
                      template,
                      lang,
                      values.toMap(),
                      null));
          return new AnswerResult(output.text().strip(), output.call());
        });
  }

  @Override
  public VerdictResult evaluate(EvaluateRequest request) {
    return call(
        scheduledAt -> {
          StageRunner.Output output =
              withImage(
                  scheduledAt,
                  RunPlan.EVALUATE,
                  request.stage(),
                  request.endpoint(),
                  request.image(),
                  lang(request.lang()),
                  PromptValues.create()
                      .with("caption", request.caption())
                      .with("ocr", request.ocr())
                      .with("question", request.question().text())
                      .with("answer", request.answer())
                      .toMap(),
                  outputs.verdictSchema());
          StructuredOutputs.Verdict verdict = outputs.parseVerdict(output.text());
          return new VerdictResult(
              verdict.meaningful(), verdict.correct(), verdict.detail(), output.call());
        });
  }

  @Override
  public CombinedResult describeAskAnswer(DescribeRequest request) {
    return call(
        scheduledAt -> {
          StageRunner.Output output =
              withImage(
                  scheduledAt,
                  RunPlan.CAPTION_QA,
                  request.stage(),
                  request.endpoint(),
                  request.image(),
                  lang(request.lang()),
                  PromptValues.create()
                      .with("alt_text", request.altText())
                      .with("ocr", request.ocr())
                      .toMap(),
                  outputs.captionQaSchema());
          StructuredOutputs.CaptionQa parsed = outputs.parseCaptionQa(output.text());
          return new CombinedResult(
              parsed.caption(), parsed.question(), parsed.answer(), output.call());
        });
  }

  @Override
  public CaptionResult fuse(FuseRequest request) {
    return call(
        scheduledAt -> {
          StageRunner.Output output =
              runner.run(
                  scheduledAt,
                  new StageRunner.Call(
                      RunPlan.FUSE,
                      request.stage(),
                      request.endpoint(),
                      request.imageSha256(),
                      null,
                      null,
                      lang(request.lang()),
                      PromptValues.create()
                          .with("caption", request.caption())
                          .with("alt_text", request.altText())
                          .toMap(),
                      null));
          return new CaptionResult(output.text().strip(), output.call());
        });
  }

  @Override
  public AnswerResult reason(ReasonRequest request) {
    return call(
        scheduledAt -> {
          StageRunner.Output output =
              withImage(
                  scheduledAt,
                  RunPlan.REASON,
                  request.stage(),
                  request.endpoint(),
                  request.image(),
                  lang(request.lang()),
                  PromptValues.create()
                      .with("caption", request.caption())
                      .with("ocr", request.ocr())
                      .with("question", request.question().text())
                      .with("answer", request.answer())
                      .toMap(),
                  null);
          return new AnswerResult(output.text().strip(), output.call());
        });
  }

  @Override
  public AgreementResult compare(CompareRequest request) {
    return call(
        scheduledAt -> {
          String lang = lang(request.lang());
          PromptTemplate template =
              runner
                  .prompts()
                  .named(
                      BLIND_CHECK.equals(request.check())
                          ? "checks/compare-blind"
                          : "checks/compare",
                      lang);
          StageRunner.Output output =
              runner.run(
                  scheduledAt,
                  new StageRunner.Call(
                      request.check(),
                      request.stage(),
                      request.endpoint(),
                      request.imageSha256(),
                      null,
                      template,
                      lang,
                      PromptValues.create()
                          .with("question", request.question())
                          .with("answer", request.reference())
                          .withAnswers(request.others())
                          .toMap(),
                      outputs.agreementSchema()));
          StructuredOutputs.Agreement agreement = outputs.parseAgreement(output.text());
          return new AgreementResult(agreement.agree(), agreement.detail(), output.call());
        });
  }

  @Override
  public GrammarResult checkGrammar(GrammarRequest request) {
    return call(
        scheduledAt -> {
          String lang = lang(request.lang());
          StageRunner.Output output =
              runner.run(
                  scheduledAt,
                  new StageRunner.Call(
                      "grammar",
                      request.stage(),
                      request.endpoint(),
                      request.imageSha256(),
                      null,
                      runner.prompts().named("checks/grammar", lang),
                      lang,
                      PromptValues.create()
                          .with("question", request.question())
                          .with("answer", request.answer())
                          .toMap(),
                      outputs.grammarSchema()));
          StructuredOutputs.Grammar grammar = outputs.parseGrammar(output.text());
          return new GrammarResult(grammar.grammatical(), grammar.errors(), output.call());
        });
  }

  /** A call with the image attached and a template sampled from the plan's. */
  private StageRunner.Output withImage(
      Instant scheduledAt,
      String stage,
      RunPlan.StagePlan plan,
      String endpoint,
      ImageInfo image,
      String lang,
      Map<String, String> values,
      ModelRequest.OutputSchema schema)
      throws ProviderException, BadImageException, IOException {
    return runner.run(
        scheduledAt,
        new StageRunner.Call(
            stage, plan, endpoint, image.sha256(), image, null, lang, values, schema));
  }

  /** A stage's work, given when its activity was first scheduled (for the flex deadline). */
  private interface StageCall<T> {
    T run(Instant scheduledAt) throws ProviderException, BadImageException, IOException;
  }

  private <T> T call(StageCall<T> call) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Instant scheduledAt = Instant.ofEpochMilli(context.getInfo().getScheduledTimestamp());
    return heartbeating.run(context, () -> call.run(scheduledAt));
  }

  private static String lang(String lang) {
    return lang == null || lang.isBlank() ? "en" : lang;
  }
}
