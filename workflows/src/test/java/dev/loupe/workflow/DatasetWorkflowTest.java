package dev.loupe.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.Counts;
import dev.loupe.contract.DatasetCarry;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.SourceItem;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetWorkflowTest {
  private static final DatasetRequest REQUEST =
      DatasetRequest.of("file:///images/", "file:///out/");

  @Test
  void everyImageIsCountedAndExported() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(7);
      DatasetResult result = harness.run("ds-1", REQUEST.withWindow(3));

      assertThat(result.counts().listed()).isEqualTo(7);
      assertThat(result.counts().accepted()).isEqualTo(7);
      assertThat(result.counts().qaAccepted()).isEqualTo(7);
      // describe + ask + answer + evaluate per image, 10 input tokens each.
      assertThat(result.counts().inputTokens()).isEqualTo(7 * 4 * 10);
      assertThat(harness.cpu.exports).hasSize(1);
      assertThat(harness.cpu.exports.get(0).status()).isEqualTo("completed");
      assertThat(harness.cpu.exports.get(0).request().carry()).isNull();
    }
  }

  @Test
  void rejectedAndFailedImagesAreCountedWithTheirReasons() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      harness.cpu.badImages.add("file:///images/1.png");
      harness.api.verdictCorrect = false;
      DatasetResult result = harness.run("ds-2", REQUEST);

      assertThat(result.counts().accepted()).isZero();
      assertThat(result.counts().rejected()).isEqualTo(3);
      PersistRequest bad = harness.cpu.persisted.get(FakeCpuActivities.sha(1));
      assertThat(bad.reason()).isEqualTo("bad_image");
      assertThat(bad.detail()).contains("truncated");
      PersistRequest judged = harness.cpu.persisted.get(FakeCpuActivities.sha(0));
      assertThat(judged.reason()).isEqualTo("self_evaluation");
      assertThat(judged.qa())
          .singleElement()
          .satisfies(pair -> assertThat(pair.accepted()).isFalse());
    }
  }

  @Test
  void limitStopsListing() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(10);
      DatasetResult result = harness.run("ds-3", REQUEST.withLimit(4));
      assertThat(result.counts().listed()).isEqualTo(4);
      assertThat(harness.cpu.persisted).hasSize(4);
    }
  }

  @Test
  void budgetStopsStartingNewImagesAndSaysSo() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(20);
      // Each image costs 4 calls × $0.001; with window 1, $0.01 is spent after 3 images.
      DatasetResult result = harness.run("ds-4", REQUEST.withWindow(1).withBudget(0.01));
      assertThat(result.counts().listed()).isEqualTo(3);
      assertThat(result.message()).contains("budget");
      assertThat(harness.cpu.exports.get(0).status()).isEqualTo("stopped");
    }
  }

  @Test
  void aBudgetReservesEachImageInFlightSoTheWindowCannotOvershootIt() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(20);
      // Each image costs 4 calls × $0.001 and may cost $0.005 at worst. Counting only finished
      // images, a window of 5 would start 5 images ($0.02, twice the budget) before any ended.
      harness.cpu.plan = FakePlans.allava().withImageWorstCaseUsd(0.005);
      DatasetResult result = harness.run("ds-4b", REQUEST.withWindow(5).withBudget(0.01));
      assertThat(result.counts().costUsd()).isLessThanOrEqualTo(0.01);
      assertThat(result.counts().listed()).isEqualTo(2);
      assertThat(result.message()).contains("budget of $0.01 spent");
    }
  }

  @Test
  void duplicateBytesInFlightAreRejectedAsDuplicates() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.source.add(SourceItem.of("file:///images/a.png", FakeCpuActivities.sha(5), 1));
      harness.cpu.source.add(SourceItem.of("file:///images/b.png", FakeCpuActivities.sha(5), 1));
      DatasetResult result = harness.run("ds-5", REQUEST);
      assertThat(result.counts().accepted()).isEqualTo(1);
      assertThat(result.counts().rejected()).isEqualTo(1);
      assertThat(harness.cpu.duplicates)
          .singleElement()
          .satisfies(dup -> assertThat(dup.item().uri()).isEqualTo("file:///images/b.png"));
    }
  }

  @Test
  void continuesAsNewAndKeepsCounting() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness(new DatasetTuning(100, 10))) {
      harness.cpu.addImages(60);
      DatasetResult result = harness.run("ds-6", REQUEST.withWindow(5));
      assertThat(result.counts().listed()).isEqualTo(60);
      assertThat(result.counts().accepted()).isEqualTo(60);
      assertThat(harness.cpu.persisted).hasSize(60);
      assertThat(harness.cpu.exports).singleElement();
      assertThat(harness.cpu.exports.get(0).request().carry()).isNull();
    }
  }

  @Test
  void missingOutputFailsAtOnceNamingTheField() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      assertThatThrownBy(() -> harness.run("ds-7", DatasetRequest.of("file:///images/", null)))
          .isInstanceOf(WorkflowFailedException.class)
          .rootCause()
          .isInstanceOf(ApplicationFailure.class)
          .hasMessageContaining("output is required");
    }
  }

  @Test
  void carryInAFirstStartFailsAtOnceNamingTheFieldAndPlansNothing() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      DatasetCarry forged =
          new DatasetCarry(
              FakePlans.allava(),
              "forged",
              null,
              false,
              List.of(SourceItem.of("file:///etc/passwd.png", FakeCpuActivities.sha(9), 1)),
              Counts.ZERO,
              0,
              1,
              0);

      assertThatThrownBy(() -> harness.run("ds-carry", REQUEST.withCarry(forged)))
          .isInstanceOf(WorkflowFailedException.class)
          .rootCause()
          .isInstanceOf(ApplicationFailure.class)
          .hasMessageContaining("invalid DatasetRequest: carry is internal state")
          .satisfies(
              cause ->
                  assertThat(((ApplicationFailure) cause).getType())
                      .isEqualTo(FailureType.INVALID_REQUEST.name()));
      assertThat(harness.cpu.persisted).isEmpty();
    }
  }

  @Test
  void unknownRecipeFailsAtOnceWithThePlannersMessage() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(1);
      assertThatThrownBy(() -> harness.run("ds-8", REQUEST.withRecipe("missing")))
          .isInstanceOf(WorkflowFailedException.class)
          .rootCause()
          .hasMessageContaining("unknown recipe 'missing'")
          .satisfies(
              cause ->
                  assertThat(((ApplicationFailure) cause).getType())
                      .isEqualTo(FailureType.INVALID_REQUEST.name()));
      assertThat(harness.cpu.persisted).isEmpty();
    }
  }

  @Test
  void imagesFinishedByAnEarlierRunAreReusedNotRedone() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(3);
      harness.run("ds-9", REQUEST);
      int callsAfterFirst = harness.api.calls.get();
      DatasetResult second = harness.dataset("ds-9-again").run(REQUEST);
      assertThat(harness.api.calls.get()).isEqualTo(callsAfterFirst);
      assertThat(second.counts().accepted()).isEqualTo(3);
    }
  }

  @Test
  void refusalRejectsTheImageWithReasonRefused() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(1);
      harness.api.describeFailure = FailureType.REFUSED;
      harness.run("ds-10", REQUEST);
      PersistRequest record = harness.cpu.persisted.get(FakeCpuActivities.sha(0));
      assertThat(record.status()).isEqualTo(ImageStatus.REJECTED);
      assertThat(record.reason()).isEqualTo("refused");
      assertThat(harness.api.calls.get()).isEqualTo(1);
    }
  }

  @Test
  void endpointThatStaysDownFailsTheImageAfterBoundedRetriesAndTheRunEnds() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.addImages(2);
      harness.api.describeFailure = FailureType.TRANSPORT;
      DatasetResult result = harness.run("ds-11", REQUEST);
      assertThat(result.counts().failed()).isEqualTo(2);
      PersistRequest record = harness.cpu.persisted.get(FakeCpuActivities.sha(0));
      assertThat(record.reason()).isEqualTo("transport");
      assertThat(record.detail()).startsWith("describe: ");
      assertThat(harness.api.calls.get())
          .isEqualTo(2 * WorkflowTestHarness.RETRY.maximumAttempts());
    }
  }

  @Test
  void refusedAnswerRejectsOnlyThatPair() {
    try (WorkflowTestHarness harness = new WorkflowTestHarness()) {
      harness.cpu.plan = FakePlans.withQuestions(2);
      harness.cpu.addImages(1);
      harness.api.answerFailure = FailureType.REFUSED;
      harness.run("ds-12", REQUEST);
      PersistRequest record = harness.cpu.persisted.get(FakeCpuActivities.sha(0));
      assertThat(record.qa())
          .hasSize(2)
          .allSatisfy(pair -> assertThat(pair.checks()).containsKey("answer"));
      assertThat(record.status()).isEqualTo(ImageStatus.REJECTED);
      assertThat(record.reason()).isEqualTo("answer");
    }
  }
}
