package dev.loupe.workflow;

import dev.loupe.contract.AskRequest;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.Check;
import dev.loupe.contract.CombinedResult;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.DescribeRequest;
import dev.loupe.contract.FuseRequest;
import dev.loupe.contract.ImageDone;
import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ImageStepActivities;
import dev.loupe.contract.ImageTask;
import dev.loupe.contract.ImageWorkflow;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.OcrRequest;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.PersistStep;
import dev.loupe.contract.ProbeRequest;
import dev.loupe.contract.ProbeResult;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.QuestionsResult;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.RunPlan.StagePlan;
import dev.loupe.contract.ScoreRequest;
import dev.loupe.contract.ScoreResult;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.SignalExternalWorkflowException;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;

/**
 * probe → [ocr] → describe (or ALLaVA's single call) → [fuse] → caption checks → ask → answer →
 * [reason] → checks → persist, as the plan says. Each stage's result is a small text kept in
 * history, so a crashed worker resumes at the next stage without paying again. Each model call and
 * OCR is an activity on its pool; probe and persist (with the report to the dataset) are local
 * activities of the workflows pool, one history event each (image workflows started before {@link
 * #LOCAL_STEPS} keep them on the CPU pool).
 */
public final class ImageWorkflowImpl implements ImageWorkflow {
  private static final Logger log = Workflow.getLogger(ImageWorkflowImpl.class);
  static final String OCR_LANGUAGES = "eng+chi_sim";

  /**
   * The patch that moved probe and persist to local activities and the report to the dataset into
   * persist's step: from about 48 history events per {@code allava} image to 33
   * (docs/benchmarks.md).
   */
  static final String LOCAL_STEPS = "image-steps-local";

  private final CpuActivities cpu = ActivityStubs.cpu();
  private final ImageStepActivities steps = ActivityStubs.imageSteps();
  private boolean localSteps;
  private boolean reported;
  private final ApiRetry retry;
  private ActivityStubs stubs;
  private final List<ModelCall> calls = new ArrayList<>();

  private ImageInfo image;
  private String ocr;
  private CaptionResult caption;
  private Map<String, Check> captionChecks = Map.of();

  public ImageWorkflowImpl() {
    this(ApiRetry.DEFAULT);
  }

  public ImageWorkflowImpl(ApiRetry retry) {
    this.retry = retry;
  }

  @Override
  public ImageResult process(ImageTask task) {
    localSteps =
        Workflow.getVersion(LOCAL_STEPS, Workflow.DEFAULT_VERSION, 1) != Workflow.DEFAULT_VERSION;
    ImageResult result = run(task);
    if (localSteps) {
      ImageSearchAttributes.markEndedSincePatched(result.status());
    } else {
      ImageSearchAttributes.markEnded(result.status());
    }
    if (task.signalsDoneOrFalse() && !reported) {
      reportDone(task, result);
    }
    return result;
  }

  /**
   * Tells the dataset how the image ended. The dataset may have continued as new since it started
   * this image, so its completion would reach a closed run; the signal goes to the dataset's
   * workflow ID, which reaches whichever run is current. A dataset that has closed cannot count the
   * image any more: the image still returns its result.
   */
  private static void reportDone(ImageTask task, ImageResult result) {
    ImageDone done = new ImageDone(Workflow.getInfo().getWorkflowId(), task.runToken(), result);
    try {
      Workflow.newUntypedExternalWorkflowStub(task.datasetId())
          .signal(DatasetWorkflow.IMAGE_DONE, done);
    } catch (SignalExternalWorkflowException datasetClosed) {
      log.warn("dataset {} is closed: it did not count this image", task.datasetId());
    }
  }

  private ImageResult run(ImageTask task) {
    RunPlan plan = task.plan();
    stubs = new ActivityStubs(retry, plan.batchesOrEmpty());
    String lang = plan.langFor(task.item());
    ProbeResult probe;
    try {
      ProbeRequest request =
          new ProbeRequest(
              task.item(),
              task.output(),
              task.runToken(),
              plan.minShortSide(),
              plan.maxPixels(),
              plan.nearDuplicateDistance());
      probe = localSteps ? steps.probe(request) : cpu.probe(request);
    } catch (TemporalFailure failure) {
      return persist(task, List.of(), StageFailure.of("probe", failure));
    }
    if (probe.persisted() != null) {
      return probe.persisted();
    }
    image = probe.image();
    try {
      if (plan.has(RunPlan.OCR)) {
        ocr = cpu.ocr(new OcrRequest(image, OCR_LANGUAGES)).text();
      }
      QaPipeline qa = null;
      List<QaPair> pairs = List.of();
      if (plan.has(RunPlan.CAPTION_QA)) {
        StagePlan stage = plan.stage(RunPlan.CAPTION_QA);
        CombinedResult combined =
            Fallback.call(
                stage,
                endpoint ->
                    stubs
                        .api(endpoint, stage)
                        .describeAskAnswer(
                            new DescribeRequest(
                                image, endpoint, stage, task.item().altText(), lang, ocr)));
        calls.add(combined.call());
        caption = new CaptionResult(combined.caption(), combined.call());
        captionChecks = captionChecks(plan, stage, lang);
        if (captionPassed()) {
          qa = pipeline(plan, lang);
          pairs = List.of(qa.check(combined.question(), combined.answer(), null));
        }
      } else {
        if (plan.has(RunPlan.DESCRIBE)) {
          describe(plan, task, lang);
        }
        if (plan.has(RunPlan.FUSE) && caption != null && hasText(task.item().altText())) {
          fuse(plan, task, lang);
        }
        if (caption != null && plan.has(RunPlan.DESCRIBE)) {
          captionChecks = captionChecks(plan, plan.stage(RunPlan.DESCRIBE), lang);
        }
        if (captionPassed() && plan.has(RunPlan.ASK)) {
          qa = pipeline(plan, lang);
          pairs = qa.answerAll(ask(plan, lang).questions());
        }
      }
      return persist(task, pairs, null);
    } catch (TemporalFailure failure) {
      return persist(task, List.of(), StageFailure.of(stageOf(failure), failure));
    }
  }

  private void describe(RunPlan plan, ImageTask task, String lang) {
    StagePlan stage = plan.stage(RunPlan.DESCRIBE);
    if (stage.onCaptioner()) {
      caption =
          ActivityStubs.captioner()
              .describe(
                  new DescribeRequest(
                      image, stage.endpoint(), stage, task.item().altText(), lang, ocr));
    } else {
      caption =
          Fallback.call(
              stage,
              endpoint ->
                  stubs
                      .api(endpoint, stage)
                      .describe(
                          new DescribeRequest(
                              image, endpoint, stage, task.item().altText(), lang, ocr)));
    }
    calls.add(caption.call());
    if (stage.task() != null) {
      caption = caption.withTask(stage.task());
    }
  }

  /**
   * The caption's checks: the model-free ones, then, when they all passed, the perplexity score
   * (one call to the scoring endpoint; a caption already ruled out is not paid for).
   */
  private Map<String, Check> captionChecks(RunPlan plan, StagePlan stage, String lang) {
    Map<String, Check> checks =
        new LinkedHashMap<>(
            CaptionChecks.run(caption.text(), stage.checks(), settings(plan), stage.task()));
    RunPlan.Perplexity perplexity = settings(plan).perplexity();
    if (stage.checks().contains(PerplexityVerdict.CHECK) && perplexity != null) {
      if (checks.values().stream().allMatch(Check::pass)) {
        ScoreResult score =
            stubs
                .api(perplexity.endpoint())
                .scoreCaption(
                    new ScoreRequest(
                        image, perplexity.endpoint(), perplexity.model(), caption.text(), lang));
        calls.add(score.call());
        checks.put(PerplexityVerdict.CHECK, PerplexityVerdict.of(score, perplexity));
      }
    }
    return checks;
  }

  /** CapFusion: the model caption merged with the source's alt text replaces the caption. */
  private void fuse(RunPlan plan, ImageTask task, String lang) {
    StagePlan stage = plan.stage(RunPlan.FUSE);
    String modelCaption = caption.text();
    caption =
        Fallback.call(
            stage,
            endpoint ->
                stubs
                    .api(endpoint, stage)
                    .fuse(
                        new FuseRequest(
                            endpoint,
                            stage,
                            image.sha256(),
                            modelCaption,
                            task.item().altText(),
                            lang)));
    calls.add(caption.call());
    if (plan.stage(RunPlan.DESCRIBE).task() != null) {
      caption = caption.withTask(plan.stage(RunPlan.DESCRIBE).task());
    }
  }

  private QuestionsResult ask(RunPlan plan, String lang) {
    StagePlan stage = plan.stage(RunPlan.ASK);
    String captionText = caption == null ? null : caption.text();
    QuestionsResult questions =
        Fallback.call(
            stage,
            endpoint ->
                stubs
                    .api(endpoint, stage)
                    .ask(new AskRequest(image, endpoint, stage, captionText, lang, ocr)));
    calls.add(questions.call());
    return new QuestionsResult(
        ShortForms.typed(questions.questions(), stage.task()), questions.call());
  }

  private QaPipeline pipeline(RunPlan plan, String lang) {
    return new QaPipeline(
        plan, image, caption == null ? null : caption.text(), ocr, lang, stubs, calls);
  }

  private boolean captionPassed() {
    return captionChecks.values().stream().allMatch(Check::pass);
  }

  /** Persists the outcome: the failure when there is one, else what the checks decided. */
  private ImageResult persist(ImageTask task, List<QaPair> qa, StageFailure failure) {
    ImageStatus status;
    String reason = null;
    String detail = null;
    int attempts = 0;
    if (failure != null) {
      status = failure.status();
      reason = failure.reason();
      detail = failure.detail();
      attempts = failure.attempts();
    } else {
      Map.Entry<String, Check> firstFailed = firstFailed(captionChecks, qa);
      boolean hasQa = task.plan().has(RunPlan.ASK) || task.plan().has(RunPlan.CAPTION_QA);
      boolean accepted =
          captionPassed() && (hasQa ? qa.stream().anyMatch(QaPair::accepted) : caption != null);
      status = accepted ? ImageStatus.ACCEPTED : ImageStatus.REJECTED;
      if (!accepted) {
        reason = firstFailed == null ? "no_questions" : firstFailed.getKey();
        detail =
            firstFailed == null ? "the model asked no questions" : firstFailed.getValue().detail();
      }
    }
    PersistRequest record =
        new PersistRequest(
            task.output(),
            task.datasetId(),
            task.runToken(),
            task.item(),
            image,
            caption,
            qa,
            List.copyOf(calls),
            status,
            reason,
            detail,
            attempts,
            ocr,
            captionChecks);
    if (!localSteps) {
      return cpu.persist(record);
    }
    ImageResult result = steps.persist(new PersistStep(record, task.signalsDoneOrFalse()));
    reported = task.signalsDoneOrFalse();
    return result;
  }

  private static Map.Entry<String, Check> firstFailed(
      Map<String, Check> captionChecks, List<QaPair> qa) {
    for (Map.Entry<String, Check> check : captionChecks.entrySet()) {
      if (!check.getValue().pass()) {
        return check;
      }
    }
    return qa.stream()
        .flatMap(pair -> pair.checks().entrySet().stream())
        .filter(entry -> !entry.getValue().pass())
        .findFirst()
        .orElse(null);
  }

  private static RunPlan.CheckSettings settings(RunPlan plan) {
    return plan.checkSettingsOrDefault();
  }

  private static boolean hasText(String text) {
    return text != null && !text.isBlank();
  }

  private static String stageOf(TemporalFailure failure) {
    if (failure instanceof ActivityFailure activity) {
      String type = activity.getActivityType();
      for (String prefix : new String[] {"Api", "Captioner", "Cpu", "Image"}) {
        if (type.startsWith(prefix)) {
          return type.substring(prefix.length()).toLowerCase(Locale.ROOT);
        }
      }
      return type;
    }
    return "image";
  }
}
