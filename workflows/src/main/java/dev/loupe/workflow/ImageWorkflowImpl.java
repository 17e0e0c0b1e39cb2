package dev.loupe.workflow;

import dev.loupe.contract.AnswerRequest;
import dev.loupe.contract.AnswerResult;
import dev.loupe.contract.AskRequest;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.Check;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DescribeRequest;
import dev.loupe.contract.EvaluateRequest;
import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ImageTask;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.ProbeRequest;
import dev.loupe.contract.ProbeResult;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.Question;
import dev.loupe.contract.QuestionsResult;
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
 * probe → describe → ask → answer → evaluate → persist for one image. Each stage's result is a
 * small text kept in history, so a crashed worker resumes at the next stage without paying again.
 * Answers and their evaluation run concurrently per question.
 */
public final class ImageWorkflowImpl implements ImageWorkflow {
  static final String SELF_EVALUATION = "self_evaluation";

  private final CpuActivities cpu = ActivityStubs.cpu();
  private final ActivityStubs stubs;
  private final List<ModelCall> calls = new ArrayList<>();

  public ImageWorkflowImpl() {
    this(ApiRetry.DEFAULT);
  }

  public ImageWorkflowImpl(ApiRetry retry) {
    this.stubs = new ActivityStubs(retry);
  }

  @Override
  public ImageResult process(ImageTask task) {
    RunPlan plan = task.plan();
    String lang = task.item().lang();
    ProbeResult probe;
    try {
      probe =
          cpu.probe(
              new ProbeRequest(
                  task.item(),
                  task.output(),
                  task.runToken(),
                  plan.minShortSide(),
                  plan.maxPixels()));
    } catch (TemporalFailure failure) {
      return persistFailure(task, null, null, List.of(), StageFailure.of("probe", failure));
    }
    if (probe.persisted() != null) {
      return probe.persisted();
    }
    ImageInfo image = probe.image();

    CaptionResult caption = null;
    try {
      if (plan.has(RunPlan.DESCRIBE)) {
        StagePlan describe = plan.stage(RunPlan.DESCRIBE);
        DescribeRequest request =
            new DescribeRequest(image, describe.endpoint(), describe, task.item().altText(), lang);
        caption =
            describe.onCaptioner()
                ? ActivityStubs.captioner().describe(request)
                : stubs.api(describe.endpoint()).describe(request);
        calls.add(caption.call());
      }
      List<QaPair> qa = List.of();
      if (plan.has(RunPlan.ASK)) {
        StagePlan ask = plan.stage(RunPlan.ASK);
        QuestionsResult questions =
            stubs
                .api(ask.endpoint())
                .ask(new AskRequest(image, ask.endpoint(), ask, textOf(caption), lang));
        calls.add(questions.call());
        qa = answerAll(plan, image, textOf(caption), questions.questions(), lang);
      }
      return persistOutcome(task, image, caption, qa);
    } catch (TemporalFailure failure) {
      return persistFailure(
          task, image, caption, List.of(), StageFailure.of(stageOf(failure), failure));
    }
  }

  private List<QaPair> answerAll(
      RunPlan plan, ImageInfo image, String caption, List<Question> questions, String lang) {
    List<Promise<QaPair>> pairs = new ArrayList<>();
    for (Question question : questions) {
      pairs.add(Async.function(() -> answerOne(plan, image, caption, question, lang)));
    }
    List<QaPair> results = new ArrayList<>();
    for (Promise<QaPair> pair : pairs) {
      results.add(pair.get());
    }
    return results;
  }

  /**
   * Answers and judges one question. A failure that rejects (a refusal, output that stayed
   * malformed) rejects this pair only; a failure that fails propagates and fails the image.
   */
  private QaPair answerOne(
      RunPlan plan, ImageInfo image, String caption, Question question, String lang) {
    StagePlan answerStage = plan.stage(RunPlan.ANSWER);
    AnswerResult answer;
    try {
      answer =
          stubs
              .api(answerStage.endpoint())
              .answer(
                  new AnswerRequest(
                      image, answerStage.endpoint(), answerStage, caption, question, lang));
    } catch (TemporalFailure failure) {
      StageFailure stageFailure = StageFailure.of(RunPlan.ANSWER, failure);
      if (stageFailure.status() == ImageStatus.FAILED) {
        throw failure;
      }
      return rejectedPair(question, RunPlan.ANSWER, stageFailure);
    }
    calls.add(answer.call());
    Map<String, Check> checks = new LinkedHashMap<>();
    if (plan.has(RunPlan.EVALUATE)) {
      StagePlan evaluate = plan.stage(RunPlan.EVALUATE);
      try {
        VerdictResult verdict =
            stubs
                .api(evaluate.endpoint())
                .evaluate(
                    new EvaluateRequest(
                        image,
                        evaluate.endpoint(),
                        evaluate,
                        caption,
                        question,
                        answer.text(),
                        lang));
        calls.add(verdict.call());
        checks.put(SELF_EVALUATION, new Check(verdict.pass(), verdictDetail(verdict)));
      } catch (TemporalFailure failure) {
        StageFailure stageFailure = StageFailure.of(RunPlan.EVALUATE, failure);
        if (stageFailure.status() == ImageStatus.FAILED) {
          throw failure;
        }
        checks.put(SELF_EVALUATION, new Check(false, stageFailure.detail()));
      }
    }
    boolean accepted = checks.values().stream().allMatch(Check::pass);
    return new QaPair(question.text(), question.type(), answer.text(), null, checks, accepted);
  }

  private static QaPair rejectedPair(Question question, String stage, StageFailure failure) {
    return new QaPair(
        question.text(),
        question.type(),
        null,
        null,
        Map.of(stage, new Check(false, failure.reason() + ": " + failure.detail())),
        false);
  }

  private static String verdictDetail(VerdictResult verdict) {
    return "meaningful="
        + verdict.meaningful()
        + ", correct="
        + verdict.correct()
        + (verdict.detail() == null || verdict.detail().isBlank() ? "" : ": " + verdict.detail());
  }

  private ImageResult persistOutcome(
      ImageTask task, ImageInfo image, CaptionResult caption, List<QaPair> qa) {
    boolean hasQa = task.plan().has(RunPlan.ASK);
    boolean accepted = hasQa ? qa.stream().anyMatch(QaPair::accepted) : caption != null;
    String reason = null;
    String detail = null;
    if (!accepted) {
      Map.Entry<String, Check> firstFailed =
          qa.stream()
              .flatMap(pair -> pair.checks().entrySet().stream())
              .filter(entry -> !entry.getValue().pass())
              .findFirst()
              .orElse(null);
      reason = firstFailed == null ? "no_questions" : firstFailed.getKey();
      detail =
          firstFailed == null ? "the model asked no questions" : firstFailed.getValue().detail();
    }
    return cpu.persist(
        new PersistRequest(
            task.output(),
            task.datasetId(),
            task.runToken(),
            task.item(),
            image,
            caption,
            qa,
            List.copyOf(calls),
            accepted ? ImageStatus.ACCEPTED : ImageStatus.REJECTED,
            reason,
            detail,
            0));
  }

  private ImageResult persistFailure(
      ImageTask task,
      ImageInfo image,
      CaptionResult caption,
      List<QaPair> qa,
      StageFailure failure) {
    return cpu.persist(
        new PersistRequest(
            task.output(),
            task.datasetId(),
            task.runToken(),
            task.item(),
            image,
            caption,
            qa,
            List.copyOf(calls),
            failure.status(),
            failure.reason(),
            failure.detail(),
            failure.attempts()));
  }

  private static String textOf(CaptionResult caption) {
    return caption == null ? null : caption.text();
  }

  private static String stageOf(TemporalFailure failure) {
    if (failure instanceof io.temporal.failure.ActivityFailure activity) {
      String type = activity.getActivityType();
      for (String prefix : new String[] {"Api", "Captioner", "Cpu"}) {
        if (type.startsWith(prefix)) {
          return type.substring(prefix.length()).toLowerCase(java.util.Locale.ROOT);
        }
      }
      return type;
    }
    return "image";
  }
}
