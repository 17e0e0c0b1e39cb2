package dev.loupe.recipe;

import dev.loupe.contract.BatchSettings;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The model endpoints this deployment has configured, by name, as recipes see them: a name, a
 * default model and which lanes besides online the endpoint's provider sells. Keys and URLs stay
 * with the workers.
 *
 * @param defaultEndpoint used by stages that name none
 * @param defaultModels endpoint name to its default model
 * @param flexEndpoints the endpoints whose provider sells the flex lane (OpenAI)
 * @param providers endpoint name to its provider's configuration name (for messages)
 * @param batchLanes endpoint name to its batch settings, for the endpoints whose provider has a
 *     batch API
 */
public record Endpoints(
    String defaultEndpoint,
    Map<String, String> defaultModels,
    Set<String> flexEndpoints,
    Map<String, String> providers,
    Map<String, BatchSettings> batchLanes) {
  public Endpoints {
    Objects.requireNonNull(defaultEndpoint, "defaultEndpoint");
    defaultModels = Map.copyOf(defaultModels);
    flexEndpoints = Set.copyOf(flexEndpoints);
    providers = Map.copyOf(providers);
    batchLanes = Map.copyOf(batchLanes);
    if (!defaultModels.containsKey(defaultEndpoint)) {
      throw new IllegalArgumentException(
          "default endpoint '" + defaultEndpoint + "' is not among " + defaultModels.keySet());
    }
  }

  /** Endpoints without batch lanes. */
  public Endpoints(
      String defaultEndpoint, Map<String, String> defaultModels, Set<String> flexEndpoints) {
    this(defaultEndpoint, defaultModels, flexEndpoints, Map.of(), Map.of());
  }

  /** Endpoints none of which sells the flex lane. */
  public Endpoints(String defaultEndpoint, Map<String, String> defaultModels) {
    this(defaultEndpoint, defaultModels, Set.of());
  }
}
