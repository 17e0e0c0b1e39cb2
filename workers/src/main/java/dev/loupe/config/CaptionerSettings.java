package dev.loupe.config;

import java.net.URI;
import java.util.Objects;

/**
 * The captioner pool's hosted model (the {@code captioner:} section, or the {@code worker}
 * command's {@code --model-command} and {@code --model-url}). The worker starts {@link
 * #modelCommand()} as a child process, or attaches to a server already at {@link #modelUrl()}, and
 * polls {@code loupe-captioner} only while that server answers its health endpoint.
 *
 * @param modelCommand command line that starts an OpenAI-compatible server (e.g. {@code vllm serve
 *     …}); run with {@code /bin/sh -c}; none to attach to a server already running
 * @param modelUrl the server's OpenAI API root (default {@code http://127.0.0.1:8000/v1})
 * @param model the served model name; when absent, the first model the server lists
 * @param batchSlots captions at the server at once: its batch capacity, e.g. vLLM's {@code
 *     --max-num-seqs} (default 8)
 * @param healthPath the health endpoint's path on the server; when absent {@code /health} (vLLM,
 *     SGLang), falling back to {@code <modelUrl>/models}
 * @param timeoutSeconds limit on one caption call, below the activity's ten minutes (default 300)
 * @param startupSeconds how long a started server may take to answer before it is restarted
 *     (default 900: large models load slowly)
 * @param modelWaitSeconds how long a caption waits, heartbeating, for a restarting server before it
 *     is handed back to the queue (default 60)
 * @param imageMaxLongSide images are downsized so their long side fits (default 1344)
 * @param queuedCaptions captions the worker holds beyond {@code batchSlots}, each waiting for the
 *     next free slot, so that a caption is ready the moment one ends instead of after a round trip
 *     to Temporal for the next task; when absent, as many as {@code batchSlots}
 *     (docs/benchmarks.md, "Captioner on a real engine")
 */
public record CaptionerSettings(
    String modelCommand,
    String modelUrl,
    String model,
    Integer batchSlots,
    String healthPath,
    Integer timeoutSeconds,
    Integer startupSeconds,
    Integer modelWaitSeconds,
    Integer imageMaxLongSide,
    Integer queuedCaptions) {

  public static final String DEFAULT_MODEL_URL = "http://127.0.0.1:8000/v1";

  /** Where a worker without any captioner settings would look; used when none are configured. */
  public static final CaptionerSettings DEFAULT =
      new CaptionerSettings(null, null, null, null, null, null, null, null, null, null);

  public CaptionerSettings {
    if (modelCommand != null && modelCommand.isBlank()) {
      modelCommand = null;
    }
    modelUrl = Objects.requireNonNullElse(modelUrl, DEFAULT_MODEL_URL);
    URI url = URI.create(modelUrl);
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())
        || url.getHost() == null) {
      throw new IllegalArgumentException("captioner modelUrl must be an http(s) URL: " + modelUrl);
    }
    if (model != null && model.isBlank()) {
      model = null;
    }
    batchSlots = positive("batchSlots", batchSlots, 8);
    if (healthPath != null && !healthPath.startsWith("/")) {
      throw new IllegalArgumentException("captioner healthPath must start with '/': " + healthPath);
    }
    timeoutSeconds = positive("timeoutSeconds", timeoutSeconds, 300);
    if (timeoutSeconds > 540) {
      throw new IllegalArgumentException(
          "captioner timeoutSeconds must be at most 540 (the activity allows 600): "
              + timeoutSeconds);
    }
    startupSeconds = positive("startupSeconds", startupSeconds, 900);
    modelWaitSeconds = positive("modelWaitSeconds", modelWaitSeconds, 60);
    imageMaxLongSide = positive("imageMaxLongSide", imageMaxLongSide, 1344);
    if (queuedCaptions != null && queuedCaptions < 0) {
      throw new IllegalArgumentException(
          "captioner queuedCaptions must not be negative: " + queuedCaptions);
    }
  }

  /** Caption activities a worker runs at once: those at the server and those queued for it. */
  public int activitySlots() {
    return batchSlots + (queuedCaptions == null ? batchSlots : queuedCaptions);
  }

  /** These settings with the command-line flags that were given (null ones keep the file's). */
  public CaptionerSettings withFlags(String command, String url, Integer slots, Integer queued) {
    return new CaptionerSettings(
        command == null ? modelCommand : command,
        url == null ? modelUrl : url,
        model,
        slots == null ? batchSlots : slots,
        healthPath,
        timeoutSeconds,
        startupSeconds,
        modelWaitSeconds,
        imageMaxLongSide,
        queued == null ? queuedCaptions : queued);
  }

  private static int positive(String name, Integer value, int fallback) {
    int resolved = value == null ? fallback : value;
    if (resolved < 1) {
      throw new IllegalArgumentException("captioner " + name + " must be positive: " + resolved);
    }
    return resolved;
  }
}
