package dev.loupe.contract;

/**
 * Task-queue names. They are part of Loupe's contract: operators scale pools by the queue they
 * poll, and server-side rate limits are set per queue.
 */
public final class TaskQueues {
  /** Workflow tasks of {@code DatasetWorkflow} and {@code ImageWorkflow}; any host. */
  public static final String WORKFLOWS = "loupe-workflows";

  /** Image probing, OCR, storage and export. */
  public static final String CPU = "loupe-cpu";

  /** GPU workers hosting the captioner model. */
  public static final String CAPTIONER = "loupe-captioner";

  private static final String API_PREFIX = "loupe-api-";

  private TaskQueues() {}

  /**
   * The queue of one configured model endpoint, so that a server-side rate limit on it caps the
   * endpoint's requests across all workers.
   */
  public static String api(String endpoint) {
    if (endpoint == null || !endpoint.matches("[a-z0-9][a-z0-9-]*")) {
      throw new IllegalArgumentException(
          "endpoint name must be lower-case letters, digits and '-': " + endpoint);
    }
    return API_PREFIX + endpoint;
  }
}
