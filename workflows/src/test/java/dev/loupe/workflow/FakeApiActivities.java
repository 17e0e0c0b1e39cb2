package dev.loupe.workflow;

import dev.loupe.contract.AnswerRequest;
import dev.loupe.contract.AnswerResult;
import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.AskRequest;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.DescribeRequest;
import dev.loupe.contract.EvaluateRequest;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.Question;
import dev.loupe.contract.QuestionsResult;
import dev.loupe.contract.Usage;
import dev.loupe.contract.VerdictResult;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake API pool: each call costs 10 input and 5 output tokens; tests set verdicts and failures.
 */
final class FakeApiActivities implements ApiActivities {
  final AtomicInteger calls = new AtomicInteger();
  volatile boolean verdictCorrect = true;
  volatile FailureType describeFailure;
  volatile FailureType answerFailure;

  /** Describe calls wait for this latch; tests close it to keep images in flight. */
  volatile CountDownLatch describeGate = new CountDownLatch(0);

  private ModelCall call(String stage) {
    calls.incrementAndGet();
    return new ModelCall(stage, "fake", "fake-model", stage + "/t1", new Usage(10, 5, 0.001), 3);
  }

  @Override
  public CaptionResult describe(DescribeRequest request) {
    try {
      describeGate.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (describeFailure != null) {
      calls.incrementAndGet();
      throw ApplicationFailure.newBuilder()
          .setType(describeFailure.name())
          .setMessage("describe failed: " + describeFailure)
          .setNonRetryable(!describeFailure.retryable())
          .build();
    }
    return new CaptionResult("A caption of " + request.image().uri(), call("describe"));
  }

  @Override
  public QuestionsResult ask(AskRequest request) {
    List<Question> questions = new ArrayList<>();
    for (int i = 0; i < request.stage().questions(); i++) {
      questions.add(new Question("Question " + i + "?", "reasoning"));
    }
    return new QuestionsResult(questions, call("ask"));
  }

  @Override
  public AnswerResult answer(AnswerRequest request) {
    if (answerFailure != null) {
      calls.incrementAndGet();
      throw ApplicationFailure.newBuilder()
          .setType(answerFailure.name())
          .setMessage("answer failed: " + answerFailure)
          .setNonRetryable(!answerFailure.retryable())
          .build();
    }
    return new AnswerResult("An answer to " + request.question().text(), call("answer"));
  }

  @Override
  public VerdictResult evaluate(EvaluateRequest request) {
    return new VerdictResult(true, verdictCorrect, "judged by the fake", call("evaluate"));
  }
}
