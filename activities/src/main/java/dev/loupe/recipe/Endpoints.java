package dev.loupe.recipe;

import dev.loupe.contract.BatchSettings;
import java.util.Map;
import java.util.Objects;

/**
 * The model endpoints this deployment has configured, by name, as recipes see them: a name and a
 * default model. Keys and URLs stay with the workers.
 *
 * @param defaultEndpoint used by stages that name none
 * @param defaultModels endpoint name to its default model
 * @param providers endpoint name to its provider's configuration name (for messages)
 * @param batchLanes endpoint name to its batch settings, for the endpoints whose provider has a
 *     batch API
 */
public record Endpoints(
    String defaultEndpoint,
    Map<String, String> defaultModels,
    Map<String, String> providers,
    Map<String, BatchSettings> batchLanes) {

  /** Endpoints without batch lanes. */
  public Endpoints(String defaultEndpoint, Map<String, String> defaultModels) {
    this(defaultEndpoint, defaultModels, Map.of(), Map.of());
  }

  public Endpoints {
    Objects.requireNonNull(defaultEndpoint, "defaultEndpoint");
    defaultModels = Map.copyOf(defaultModels);
    providers = Map.copyOf(providers);
    batchLanes = Map.copyOf(batchLanes);
    if (!defaultModels.containsKey(defaultEndpoint)) {
      throw new IllegalArgumentException(
          "default endpoint '" + defaultEndpoint + "' is not among " + defaultModels.keySet());
    }
  }
}
