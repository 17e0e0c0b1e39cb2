package dev.loupe.metrics;

import dev.loupe.contract.TaskQueues;
import java.util.Locale;

/**
 * Metric labels derived from an activity's type and task queue: {@code ApiDescribe} on {@code
 * loupe-api-openai} is stage {@code describe}, pool {@code api}, endpoint {@code openai}.
 */
record ActivityNames(String stage, String pool, String endpoint, boolean modelCall) {
  private static final String[] MODEL_PREFIXES = {"Api", "Captioner"};
  private static final String[] PREFIXES = {"Api", "Captioner", "Cpu", "Image", "Workflows"};

  /** What {@link TaskQueues#api} puts before the endpoint name. */
  private static final String API_QUEUE_PREFIX = "loupe-api-";

  static ActivityNames of(String activityType, String taskQueue) {
    boolean modelCall = false;
    for (String prefix : MODEL_PREFIXES) {
      modelCall |= activityType.startsWith(prefix);
    }
    String method = activityType;
    for (String prefix : PREFIXES) {
      if (activityType.startsWith(prefix) && activityType.length() > prefix.length()) {
        method = activityType.substring(prefix.length());
        break;
      }
    }
    String pool;
    String endpoint;
    if (taskQueue.startsWith(API_QUEUE_PREFIX)) {
      pool = "api";
      endpoint = taskQueue.substring(API_QUEUE_PREFIX.length());
    } else if (taskQueue.equals(TaskQueues.CAPTIONER)) {
      pool = "captioner";
      endpoint = "captioner";
    } else if (taskQueue.equals(TaskQueues.CPU)) {
      pool = "cpu";
      endpoint = "";
    } else if (taskQueue.equals(TaskQueues.WORKFLOWS)) {
      pool = "workflows";
      endpoint = "";
    } else {
      pool = taskQueue;
      endpoint = "";
    }
    return new ActivityNames(snakeCase(method), pool, endpoint, modelCall);
  }

  /** {@code ListSource} → {@code list_source}. */
  static String snakeCase(String name) {
    StringBuilder out = new StringBuilder(name.length() + 4);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        out.append('_');
      }
      out.append(Character.toLowerCase(c));
    }
    return out.toString().toLowerCase(Locale.ROOT);
  }
}
