package dev.loupe.activity;

import dev.loupe.batch.BatchLineWriter;
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
import dev.loupe.contract.FailureType;
import dev.loupe.contract.FuseRequest;
import dev.loupe.contract.GrammarRequest;
import dev.loupe.contract.GrammarResult;
import dev.loupe.contract.ModelCallResult;
import dev.loupe.contract.QuestionsResult;
import dev.loupe.contract.ReasonRequest;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.contract.ScoreRequest;
import dev.loupe.contract.ScoreResult;
import dev.loupe.contract.ShortTask;
import dev.loupe.contract.VerdictResult;
import dev.loupe.prompt.PromptTemplate;
import dev.loupe.provider.ProviderException;
import dev.loupe.stage.CaptionScoring;
import dev.loupe.stage.PromptValues;
import dev.loupe.stage.StageRunner;
import dev.loupe.stage.StructuredOutputs;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model calls of the API pool: unpack, run the stage, parse, classify failures once. Each call runs
 * on its own virtual thread while the activity heartbeats every {@code heartbeatEvery}, so the
 * calls of a worker that dies are retried within the heartbeat timeout. A stage in the batch lane
 * builds the same request and leaves it as a batch line (asynchronous completion).
 */
public final class ApiActivitiesImpl implements ApiActivities {
  private static final Logger log = LoggerFactory.getLogger(ApiActivitiesImpl.class);

  /** The check whose comparison is against an answer written without the image. */
  static final String BLIND_CHECK = "answerable_without_image";

  private final StageRunner runner;
  private final StructuredOutputs outputs;
  private final StageResults results;
  private final BatchLineWriter batchLines;
  private final HeartbeatingCall heartbeating;
  private final CaptionScoring scoring;

  /**
   * @param heartbeatEvery how often a call that is still waiting heartbeats; well inside the API
   *     activities' heartbeat timeout
   */
  public ApiActivitiesImpl(
      StageRunner runner,
      StageResults results,
      BatchLineWriter batchLines,
      Duration heartbeatEvery) {
    this(runner, results, batchLines, heartbeatEvery, null);
  }

  /**
   * @param scoring the perplexity check's scoring calls; null where no endpoint can score
   */
  public ApiActivitiesImpl(
      StageRunner runner,
      StageResults results,
      BatchLineWriter batchLines,
      Duration heartbeatEvery,
      CaptionScoring scoring) {
    this.scoring = scoring;
    this.runner = runner;
    this.outputs = results.outputs();
    this.results = results;
    this.batchLines = batchLines;
    this.heartbeating =
        new HeartbeatingCall(Executors.newVirtualThreadPerTaskExecutor(), heartbeatEvery);
  }

  @Override
  public CaptionResult describe(DescribeRequest request) {
    return call(
        ApiMethod.DESCRIBE,
        CaptionResult.class,
        request.stage(),
        0,
        () -> {
          return new StageRunner.Call(
              RunPlan.DESCRIBE,
              request.stage(),
              request.endpoint(),
              request.image().sha256(),
              request.image(),
              null,
              lang(request.lang()),
              PromptValues.create()
                  .with("alt_text", request.altText())
                  .with("ocr", request.ocr())
                  .toMap(),
              null);
        });
  }

  @Override
  public QuestionsResult ask(AskRequest request) {
    return call(
        ApiMethod.ASK,
        QuestionsResult.class,
        request.stage(),
        request.stage().questions(),
        () -> {
          return new StageRunner.Call(
              RunPlan.ASK,
              request.stage(),
              request.endpoint(),
              request.image().sha256(),
              request.image(),
              null,
              lang(request.lang()),
              PromptValues.create()
                  .with("caption", request.caption())
                  .with("ocr", request.ocr())
                  .with("count", Integer.toString(request.stage().questions()))
                  .toMap(),
              ShortTask.MULTIPLE_CHOICE.equals(request.stage().task())
                  ? outputs.choiceQuestionsSchema()
                  : outputs.questionsSchema());
        });
  }

  @Override
  public AnswerResult answer(AnswerRequest request) {
    return call(
        ApiMethod.ANSWER,
        AnswerResult.class,
        request.stage(),
        0,
        () -> {
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
          return new StageRunner.Call(
              RunPlan.ANSWER,
              request.stage(),
              request.endpoint(),
              request.image().sha256(),
              context == AnswerContext.BLIND ? null : request.image(),
              template,
              lang,
              values.toMap(),
              null);
        });
  }

  @Override
  public VerdictResult evaluate(EvaluateRequest request) {
    return call(
        ApiMethod.EVALUATE,
        VerdictResult.class,
        request.stage(),
        0,
        () -> {
          return new StageRunner.Call(
              RunPlan.EVALUATE,
              request.stage(),
              request.endpoint(),
              request.image().sha256(),
              request.image(),
              null,
              lang(request.lang()),
              PromptValues.create()
                  .with("caption", request.caption())
                  .with("ocr", request.ocr())
                  .with("question", request.question().text())
                  .with("answer", request.answer())
                  .toMap(),
              outputs.verdictSchema());
        });
  }

  @Override
  public CombinedResult describeAskAnswer(DescribeRequest request) {
    return call(
        ApiMethod.CAPTION_QA,
        CombinedResult.class,
        request.stage(),
        0,
        () -> {
          return new StageRunner.Call(
              RunPlan.CAPTION_QA,
              request.stage(),
              request.endpoint(),
              request.image().sha256(),
              request.image(),
              null,
              lang(request.lang()),
              PromptValues.create()
                  .with("alt_text", request.altText())
                  .with("ocr", request.ocr())
                  .toMap(),
              outputs.captionQaSchema());
        });
  }

  @Override
  public CaptionResult fuse(FuseRequest request) {
    return call(
        ApiMethod.FUSE,
        CaptionResult.class,
        request.stage(),
        0,
        () -> {
          return new StageRunner.Call(
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
              null);
        });
  }

  @Override
  public AnswerResult reason(ReasonRequest request) {
    return call(
        ApiMethod.REASON,
        AnswerResult.class,
        request.stage(),
        0,
        () -> {
          return new StageRunner.Call(
              RunPlan.REASON,
              request.stage(),
              request.endpoint(),
              request.image().sha256(),
              request.image(),
              null,
              lang(request.lang()),
              PromptValues.create()
                  .with("caption", request.caption())
                  .with("ocr", request.ocr())
                  .with("question", request.question().text())
                  .with("answer", request.answer())
                  .toMap(),
              null);
        });
  }

  @Override
  public AgreementResult compare(CompareRequest request) {
    return call(
        ApiMethod.COMPARE,
        AgreementResult.class,
        request.stage(),
        0,
        () -> {
          String lang = lang(request.lang());
          PromptTemplate template =
              runner
                  .prompts()
                  .named(
                      BLIND_CHECK.equals(request.check())
                          ? "checks/compare-blind"
                          : "checks/compare",
                      lang);
          return new StageRunner.Call(
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
              outputs.agreementSchema());
        });
  }

  @Override
  public GrammarResult checkGrammar(GrammarRequest request) {
    return call(
        ApiMethod.GRAMMAR,
        GrammarResult.class,
        request.stage(),
        0,
        () -> {
          String lang = lang(request.lang());
          return new StageRunner.Call(
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
              outputs.grammarSchema());
        });
  }

  @Override
  public ScoreResult scoreCaption(ScoreRequest request) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    return heartbeating.run(
        context,
        () -> {
          if (scoring == null) {
            throw new ProviderException(
                FailureType.BAD_REQUEST,
                "endpoint '"
                    + request.endpoint()
                    + "' cannot return prompt log-probabilities: this worker has no scorer");
          }
          return scoring.score(request);
        });
  }

  /** Builds a stage's call; may fail as the stage fails (unknown template, unreadable image). */
  @FunctionalInterface
  private interface CallBuilder {
    StageRunner.Call build() throws ProviderException;
  }

  /**
   * Online: runs the call and assembles its result. In the batch lane: writes the call as a batch
   * line into the spool and returns without completing; the batch workflow completes the activity
   * with the same result once the line's answer arrives.
   */
  private <T extends ModelCallResult> T call(
      ApiMethod method, Class<T> type, StagePlan stage, int questions, CallBuilder builder) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    // A flex call whose endpoint sends flex calls online after a deadline counts from here.
    Instant scheduledAt = Instant.ofEpochMilli(context.getInfo().getScheduledTimestamp());
    if (stage.inBatch()) {
      T online =
          heartbeating.run(
              context,
              () -> {
                StageRunner.Call call = builder.build();
                if (batchLines.sendsOnline(call.endpoint(), context.getInfo())) {
                  // The runner sends a batch-lane call online, priced at the online rate.
                  log.info(
                      "stage={} endpoint={} attempt {}: last attempt sent online",
                      call.stage(),
                      call.endpoint(),
                      context.getInfo().getAttempt());
                  return type.cast(
                      results.assemble(method, runner.run(scheduledAt, call), questions));
                }
                batchLines.spool(context, method, stage, questions, call);
                return null;
              });
      if (online == null) {
        context.doNotCompleteOnReturn();
      }
      return online;
    }
    return heartbeating.run(
        context,
        () ->
            type.cast(
                results.assemble(method, runner.run(scheduledAt, builder.build()), questions)));
  }

  private static String lang(String lang) {
    return lang == null || lang.isBlank() ? "en" : lang;
  }
}
