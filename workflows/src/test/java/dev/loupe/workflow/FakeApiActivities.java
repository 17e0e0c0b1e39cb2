package dev.loupe.workflow;

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
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.Question;
import dev.loupe.contract.QuestionsResult;
import dev.loupe.contract.ReasonRequest;
import dev.loupe.contract.ScoreRequest;
import dev.loupe.contract.ScoreResult;
import dev.loupe.contract.Usage;
import dev.loupe.contract.VerdictResult;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fake API pool: each call costs 10 input and 5 output tokens; tests set verdicts, agreements and
 * failures, and read back the requests it saw.
 */
final class FakeApiActivities implements ApiActivities {
  final AtomicInteger calls = new AtomicInteger();
  final List<AnswerRequest> answers = new CopyOnWriteArrayList<>();
  final List<CompareRequest> comparisons = new CopyOnWriteArrayList<>();
  final List<DescribeRequest> describes = new CopyOnWriteArrayList<>();
  final List<FuseRequest> fuses = new CopyOnWriteArrayList<>();
  final Map<String, Boolean> agreeByCheck = new ConcurrentHashMap<>();
  volatile boolean verdictCorrect = true;
  volatile boolean grammatical = true;
  volatile String caption = "A caption of a chart with three bars, labelled in blue and red.";
  volatile FailureType describeFailure;
  volatile FailureType answerFailure;

  /** The answer text for a request; null for the default echoing answer. */
  volatile Function<AnswerRequest, String> answerer;

  /** Options the ask stage gives each question (multiple choice); none when empty. */
  volatile List<String> options = List.of();

  /** The perplexity the fake scorer gives a caption; null for a non-finite score. */
  volatile Function<String, Double> perplexityOf = text -> 12.5;

  volatile FailureType scoreFailure;
  final List<ScoreRequest> scores = new CopyOnWriteArrayList<>();

  /** Describe calls wait for this latch; tests close it to keep images in flight. */
  volatile CountDownLatch describeGate = new CountDownLatch(0);

  /** Describe calls take at least this long, like a model does. */
  volatile long describeMillis;

  private final String endpoint;

  FakeApiActivities(String endpoint) {
    this.endpoint = endpoint;
  }

  private ModelCall call(String stage, String template) {
    calls.incrementAndGet();
    return new ModelCall(stage, endpoint, "fake-model", template, new Usage(10, 5, 0.001), 3);
  }

  private static ApplicationFailure failure(FailureType type, String stage) {
    return ApplicationFailure.newBuilder()
        .setType(type.name())
        .setMessage(stage + " failed: " + type)
        .setNonRetryable(!type.retryable())
        .build();
  }

  @Override
  public CaptionResult describe(DescribeRequest request) {
    describes.add(request);
    try {
      describeGate.await();
      Thread.sleep(describeMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (describeFailure != null) {
      calls.incrementAndGet();
      throw failure(describeFailure, "describe");
    }
    return new CaptionResult(caption, call("describe", "describe/t1"));
  }

  @Override
  public QuestionsResult ask(AskRequest request) {
    List<Question> questions = new ArrayList<>();
    for (int i = 0; i < request.stage().questions(); i++) {
      questions.add(
          new Question("Question " + i + "?", "reasoning", options.isEmpty() ? null : options));
    }
    return new QuestionsResult(questions, call("ask", "ask/t1"));
  }

  @Override
  public AnswerResult answer(AnswerRequest request) {
    answers.add(request);
    if (answerFailure != null) {
      calls.incrementAndGet();
      throw failure(answerFailure, "answer");
    }
    String template =
        request.template() != null ? request.template() : request.stage().templates().get(0);
    AnswerContext context = request.contextOrFull();
    Function<AnswerRequest, String> custom = answerer;
    return new AnswerResult(
        custom != null
            ? custom.apply(request)
            : "An answer to " + request.question().text() + " (" + context + ")",
        call("answer", template));
  }

  @Override
  public VerdictResult evaluate(EvaluateRequest request) {
    return new VerdictResult(true, verdictCorrect, "judged by the fake", call("evaluate", "e/t1"));
  }

  @Override
  public CombinedResult describeAskAnswer(DescribeRequest request) {
    describes.add(request);
    return new CombinedResult(
        caption,
        new Question("What does the chart compare?", "reasoning"),
        "It compares three quarters.",
        call("caption_qa", "single/t1"));
  }

  @Override
  public CaptionResult fuse(FuseRequest request) {
    fuses.add(request);
    return new CaptionResult(
        request.caption() + " It is titled '" + request.altText() + "'.", call("fuse", "fuse/t1"));
  }

  @Override
  public AnswerResult reason(ReasonRequest request) {
    return new AnswerResult("Because the image shows it.", call("reason", "reason/t1"));
  }

  @Override
  public AgreementResult compare(CompareRequest request) {
    comparisons.add(request);
    boolean agree = agreeByCheck.getOrDefault(request.check(), true);
    return new AgreementResult(
        agree, agree ? "same substance" : "they differ", call("compare", "c/t1"));
  }

  @Override
  public ScoreResult scoreCaption(ScoreRequest request) {
    scores.add(request);
    if (scoreFailure != null) {
      calls.incrementAndGet();
      throw failure(scoreFailure, "scoreCaption");
    }
    Double perplexity = perplexityOf.apply(request.caption());
    return new ScoreResult(
        perplexity,
        perplexity == null ? null : -Math.log(perplexity),
        7,
        call("perplexity", "checks/perplexity-en-1"));
  }

  @Override
  public GrammarResult checkGrammar(GrammarRequest request) {
    return new GrammarResult(
        grammatical, grammatical ? "no errors" : "subject-verb agreement", call("grammar", "g/t1"));
  }
}
