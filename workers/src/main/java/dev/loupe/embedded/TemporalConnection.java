package dev.loupe.embedded;

import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;

/** A connection to a Temporal server: its client, a worker factory on it, and its UI. */
public interface TemporalConnection extends AutoCloseable {
  WorkflowClient client();

  WorkerFactory workerFactory();

  /** The UI's base URL, or null when the server has none. */
  String uiUrl();

  /** A link to one workflow in the UI, or null without a UI. */
  default String workflowLink(String workflowId) {
    if (uiUrl() == null) {
      return null;
    }
    return uiUrl()
        + "/namespaces/"
        + client().getOptions().getNamespace()
        + "/workflows/"
        + java.net.URLEncoder.encode(workflowId, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  void close();
}
