package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.loupe.contract.TaskQueues;
import dev.loupe.contract.TokenBudgetState;
import dev.loupe.contract.TokenBudgetWorkflow;
import dev.loupe.contract.TokenLease;
import dev.loupe.contract.TokenLeaseRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenBudgetWorkflowTest {
  private static final long LIMIT = 120_000;

  private TestWorkflowEnvironment env;
  private TokenBudgetWorkflow budget;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    env.newWorker(TaskQueues.WORKFLOWS)
        .registerWorkflowImplementationTypes(TokenBudgetWorkflowImpl.class);
    env.start();
    budget =
        env.getWorkflowClient()
            .newWorkflowStub(
                TokenBudgetWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(TokenBudgetWorkflow.workflowId("bench"))
                    .setTaskQueue(TaskQueues.WORKFLOWS)
                    .build());
    WorkflowClient.start(budget::run, TokenBudgetState.EMPTY);
  }

  @AfterEach
  void close() {
    env.close();
  }

  @Test
  void busyProcessesShareTheLimitAndAKilledOnesShareComesBack() {
    assertThat(lease("a", LIMIT).tokensPerMinute()).isEqualTo(LIMIT);
    assertThat(lease("b", LIMIT).tokensPerMinute()).as("a still holds it all").isZero();
    assertThat(lease("a", LIMIT).tokensPerMinute()).isEqualTo(LIMIT / 2);
    TokenLease b = lease("b", LIMIT);
    assertThat(b.tokensPerMinute()).isEqualTo(LIMIT / 2);
    assertThat(b.processes()).isEqualTo(2);

    // a is killed: it stops renewing; b keeps renewing and gets a's share once a's lease ran out.
    for (int i = 0; i < 4; i++) {
      env.sleep(Duration.ofSeconds(2));
      assertThat(lease("b", LIMIT).tokensPerMinute()).isEqualTo(LIMIT / 2);
    }
    env.sleep(Duration.ofSeconds(3));
    TokenLease alone = lease("b", LIMIT);
    assertThat(alone.tokensPerMinute()).isEqualTo(LIMIT);
    assertThat(alone.processes()).isEqualTo(1);
    assertThat(budget.leases().holders()).extracting(h -> h.worker()).containsExactly("b");
  }

  @Test
  void continuesAsNewKeepingTheLiveLeases() {
    lease("a", 30_000);
    lease("b", LIMIT);
    lease("a", 30_000);
    for (int i = 0; i < TokenBudgetWorkflowImpl.UPDATES_PER_RUN / 2; i++) {
      lease("b", LIMIT);
      lease("a", 30_000);
    }
    String firstRun = WorkflowStub.fromTyped(budget).getExecution().getRunId();

    TokenLease b = lease("b", LIMIT);

    String run =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(TokenBudgetWorkflow.workflowId("bench"))
            .describe()
            .getExecution()
            .getRunId();
    assertThat(run).isNotEqualTo(firstRun);
    assertThat(b.processes()).isEqualTo(2);
    assertThat(
            env.getWorkflowClient()
                .newWorkflowStub(TokenBudgetWorkflow.class, TokenBudgetWorkflow.workflowId("bench"))
                .leases()
                .holders())
        .extracting(h -> h.worker() + "=" + h.granted())
        .containsExactlyInAnyOrder("a=30000", "b=90000");
  }

  @Test
  void theProvidersMinuteGoesToTheFirstProcessAndWhatItGivesUpToTheNext() {
    long margin = ProviderBucket.margin(LIMIT);
    TokenLease a = lease("a", LIMIT, 0, 0L);
    assertThat(a.tokensPerMinute()).isEqualTo(LIMIT);
    assertThat(a.credit())
        .as("the provider's full minute, less the margin")
        .isEqualTo(LIMIT - margin);

    TokenLease b = lease("b", LIMIT, 0, 0L);
    assertThat(b.tokensPerMinute()).isZero();
    assertThat(b.credit()).as("a holds it all").isZero();

    // a spent 16,000 of its burst and now keeps half the limit: what it holds beyond that is cut.
    TokenLease halved = lease("a", LIMIT, 16_000, LIMIT - margin - 16_000);
    assertThat(halved.tokensPerMinute()).isEqualTo(LIMIT / 2);
    assertThat(halved.credit()).isZero();

    // The provider holds 104,000 (a little more for the milliseconds passed); a holds 60,000.
    TokenLease share = lease("b", LIMIT, 0, 0L);
    assertThat(share.tokensPerMinute()).isEqualTo(LIMIT / 2);
    assertThat(share.credit()).isBetween(104_000 - LIMIT / 2 - margin, 104_000 - LIMIT / 2);
    TokenBudgetState state = budget.leases();
    assertThat(state.providerLevel()).isBetween(104_000.0, 105_000.0);
    assertThat(state.holders())
        .extracting(h -> h.worker() + "=" + h.level())
        .containsExactly("a=" + LIMIT / 2, "b=" + share.credit());
  }

  @Test
  void aProcessThatDoesNotSayWhatItHoldsGetsNoCreditAndCountsAsFull() {
    assertThat(lease("old", LIMIT).credit()).isZero();
    lease("new", LIMIT, 0, 0L);
    assertThat(lease("old", LIMIT).tokensPerMinute()).isEqualTo(LIMIT / 2);

    TokenLease next = lease("new", LIMIT, 0, 0L);

    assertThat(next.tokensPerMinute()).isEqualTo(LIMIT / 2);
    assertThat(next.credit())
        .as("the provider's minute less the old process's full half and the margin")
        .isEqualTo(LIMIT / 2 - ProviderBucket.margin(LIMIT));
  }

  private TokenLease lease(String worker, long demand) {
    return lease(worker, demand, 0, null);
  }

  private TokenLease lease(String worker, long demand, long used, Long level) {
    return env.getWorkflowClient()
        .newWorkflowStub(TokenBudgetWorkflow.class, TokenBudgetWorkflow.workflowId("bench"))
        .lease(new TokenLeaseRequest(worker, LIMIT, demand, used, level));
  }
}
