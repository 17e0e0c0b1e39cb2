package dev.loupe.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.AnswerRequest;
import dev.loupe.contract.AnswerResult;
import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.AskRequest;
import dev.loupe.contract.CaptionResult;
import dev.loupe.contract.CaptionerActivities;
import dev.loupe.contract.DescribeRequest;
import dev.loupe.contract.EvaluateRequest;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.QuestionsResult;
import dev.loupe.contract.TaskQueues;
import dev.loupe.contract.Usage;
import dev.loupe.contract.VerdictResult;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The interceptor on a real (in-memory) Temporal worker: what activities return and throw becomes
 * Loupe's Prometheus metrics, with no help from activity code.
 */
class CallMetricsInterceptorTest {
  private static final String WORKFLOW_QUEUE = "metrics-test";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private TestWorkflowEnvironment environment;

  @BeforeEach
  void setUp() {
    environment =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setWorkerFactoryOptions(
                    WorkerFactoryOptions.newBuilder()
                        .setWorkerInterceptors(
                            new CallMetricsInterceptor(new CallMetrics(registry)))
                        .build())
                .build());
    environment.newWorker(WORKFLOW_QUEUE).registerWorkflowImplementationTypes(CallsImpl.class);
    environment.newWorker(TaskQueues.api("openai")).registerActivitiesImplementations(new Api());
    Worker captioner = environment.newWorker(TaskQueues.CAPTIONER);
    captioner.registerActivitiesImplementations(new Captioner());
    environment.start();
  }

  @AfterEach
  void tearDown() {
    environment.close();
  }

  @Test
  void modelCallsAreCountedByEndpointStageAndOutcomeWithTheirUsage() {
    WorkflowClient client = environment.getWorkflowClient();
    client
        .newWorkflowStub(
            Calls.class, WorkflowOptions.newBuilder().setTaskQueue(WORKFLOW_QUEUE).build())
        .run();

    String text = registry.scrape();

    assertThat(text)
        .contains(
            "loupe_model_calls_total{endpoint=\"openai\",outcome=\"ok\",stage=\"describe\"} 2")
        .contains(
            "loupe_model_calls_total{endpoint=\"openai\",outcome=\"rate_limited\",stage=\"describe\"} 1")
        .contains(
            "loupe_model_calls_total{endpoint=\"openai\",outcome=\"quota_exhausted\",stage=\"describe\"} 1")
        .contains(
            "loupe_model_calls_total{endpoint=\"captioner\",outcome=\"ok\",stage=\"describe\"} 1")
        .contains(
            "loupe_model_rate_limits_total{endpoint=\"openai\",stage=\"describe\",type=\"rate_limited\"} 1")
        .contains(
            "loupe_model_rate_limits_total{endpoint=\"openai\",stage=\"describe\",type=\"quota_exhausted\"} 1")
        .contains(
            "loupe_model_input_tokens_total{endpoint=\"openai\",model=\"gpt-4.1-mini\",stage=\"describe\"} 240")
        .contains(
            "loupe_model_output_tokens_total{endpoint=\"openai\",model=\"gpt-4.1-mini\",stage=\"describe\"} 60")
        .contains(
            "loupe_model_cost_usd_total{endpoint=\"openai\",model=\"gpt-4.1-mini\",stage=\"describe\"} 0.004")
        .contains(
            "loupe_model_input_tokens_total{endpoint=\"captioner\",model=\"share-captioner\",stage=\"describe\"} 120")
        .contains(
            "loupe_model_call_latency_seconds_bucket{endpoint=\"openai\",stage=\"describe\",le=\"1.0\"} 2")
        .contains(
            "loupe_stage_duration_seconds_count{outcome=\"ok\",pool=\"api\",stage=\"describe\"} 2")
        .contains(
            "loupe_stage_duration_seconds_count{outcome=\"rate_limited\",pool=\"api\",stage=\"describe\"} 1")
        .contains(
            "loupe_stage_duration_seconds_count{outcome=\"ok\",pool=\"captioner\",stage=\"describe\"} 1")
        .contains("loupe_activities_in_flight{pool=\"api\"} 0");
  }

  @WorkflowInterface
  public interface Calls {
    @WorkflowMethod
    void run();
  }

  public static final class CallsImpl implements Calls {
    @Override
    public void run() {
      ActivityOptions once =
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(10))
              .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
              .build();
      ApiActivities api =
          Workflow.newActivityStub(
              ApiActivities.class,
              ActivityOptions.newBuilder(once).setTaskQueue(TaskQueues.api("openai")).build());
      CaptionerActivities captioner =
          Workflow.newActivityStub(
              CaptionerActivities.class,
              ActivityOptions.newBuilder(once).setTaskQueue(TaskQueues.CAPTIONER).build());
      api.describe(request("ok"));
      api.describe(request("ok"));
      for (String failure : new String[] {"RATE_LIMITED", "QUOTA_EXHAUSTED"}) {
        try {
          api.describe(request(failure));
        } catch (ActivityFailure expected) {
          // counted by the interceptor
        }
      }
      captioner.describe(request("ok"));
    }

    private static DescribeRequest request(String behaviour) {
      return new DescribeRequest(null, "openai", null, behaviour, "en", null);
    }
  }

  /** Answers by the request's alt text: "ok", or a failure type to throw. */
  private static final class Api implements ApiActivities {
    @Override
    public CaptionResult describe(DescribeRequest request) {
      if (!request.altText().equals("ok")) {
        throw ApplicationFailure.newNonRetryableFailure(
            "HTTP 429", FailureType.valueOf(request.altText()).name());
      }
      return new CaptionResult(
          "a caption",
          new ModelCall("describe", "openai", "gpt-4.1-mini", "t", new Usage(120, 30, 0.002), 700));
    }

    @Override
    public QuestionsResult ask(AskRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AnswerResult answer(AnswerRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public VerdictResult evaluate(EvaluateRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public dev.loupe.contract.CombinedResult describeAskAnswer(DescribeRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CaptionResult fuse(dev.loupe.contract.FuseRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public AnswerResult reason(dev.loupe.contract.ReasonRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public dev.loupe.contract.AgreementResult compare(dev.loupe.contract.CompareRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public dev.loupe.contract.GrammarResult checkGrammar(
        dev.loupe.contract.GrammarRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public dev.loupe.contract.ScoreResult scoreCaption(dev.loupe.contract.ScoreRequest request) {
      throw new UnsupportedOperationException();
    }
  }

  private static final class Captioner implements CaptionerActivities {
    @Override
    public CaptionResult describe(DescribeRequest request) {
      return new CaptionResult(
          "a caption",
          new ModelCall(
              "describe", "captioner", "share-captioner", "t", new Usage(120, 240, 0), 2500));
    }
  }
}
