package dev.loupe.activity;

import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.ImageDone;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStepActivities;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.PersistStep;
import dev.loupe.contract.ProbeRequest;
import dev.loupe.contract.ProbeResult;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ImageStepActivities} on the workflows pool: the CPU pool's probe and persist, and the
 * image's report to its dataset through the pool's own Temporal client.
 */
public final class ImageStepActivitiesImpl implements ImageStepActivities {
  private static final Logger log = LoggerFactory.getLogger(ImageStepActivitiesImpl.class);

  private final CpuActivities cpu;
  private final WorkflowClient client;

  /**
   * @param cpu the CPU pool's activities, unwrapped (local activities cannot heartbeat)
   * @param client the workflows pool's client, for the report to the dataset
   */
  public ImageStepActivitiesImpl(CpuActivities cpu, WorkflowClient client) {
    this.cpu = cpu;
    this.client = client;
  }

  @Override
  public ProbeResult probe(ProbeRequest request) {
    return cpu.probe(request);
  }

  @Override
  public ImageResult persist(PersistStep request) {
    PersistRequest record = request.record();
    ImageResult result = cpu.persist(record);
    if (request.reportDone()) {
      String imageId = Activity.getExecutionContext().getInfo().getWorkflowId();
      ImageDone done = new ImageDone(imageId, record.runToken(), result);
      try {
        client.newUntypedWorkflowStub(record.datasetId()).signal(DatasetWorkflow.IMAGE_DONE, done);
      } catch (WorkflowNotFoundException datasetClosed) {
        log.warn("dataset {} is closed: it did not count image {}", record.datasetId(), imageId);
      }
    }
    return result;
  }
}
