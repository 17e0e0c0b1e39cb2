package dev.loupe.workflow;

import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageDone;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStepActivities;
import dev.loupe.contract.PersistStep;
import dev.loupe.contract.ProbeRequest;
import dev.loupe.contract.ProbeResult;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ImageStepActivities} over the fake CPU pool and the in-memory server, as the workers'
 * implementation (in {@code activities/}, which this module cannot see) does over the real ones;
 * counts the reports it sent.
 */
final class LocalImageSteps implements ImageStepActivities {
  private final CpuActivities cpu;
  private final WorkflowClient client;
  final AtomicInteger reports = new AtomicInteger();

  LocalImageSteps(CpuActivities cpu, WorkflowClient client) {
    this.cpu = cpu;
    this.client = client;
  }

  @Override
  public ProbeResult probe(ProbeRequest request) {
    return cpu.probe(request);
  }

  @Override
  public ImageResult persist(PersistStep request) {
    ImageResult result = cpu.persist(request.record());
    if (request.reportDone()) {
      String imageId = Activity.getExecutionContext().getInfo().getWorkflowId();
      try {
        WorkflowTestHarness.signalCurrentRun(
            client.newUntypedWorkflowStub(request.record().datasetId()),
            DatasetWorkflow.IMAGE_DONE,
            new ImageDone(imageId, request.record().runToken(), result));
        reports.incrementAndGet();
      } catch (WorkflowNotFoundException datasetClosed) {
        // as the workers' implementation: the image still returns its result
      }
    }
    return result;
  }
}
