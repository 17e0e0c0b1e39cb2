package dev.loupe.recipe;

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
 */
public record Endpoints(
    String defaultEndpoint, Map<String, String> defaultModels, Set<String> flexEndpoints) {
  public Endpoints {
    Objects.requireNonNull(defaultEndpoint, "defaultEndpoint");
    defaultModels = Map.copyOf(defaultModels);
    flexEndpoints = Set.copyOf(flexEndpoints);
    if (!defaultModels.containsKey(defaultEndpoint)) {
      throw new IllegalArgumentException(
          "default endpoint '" + defaultEndpoint + "' is not among " + defaultModels.keySet());
    }
  }

  /** Endpoints none of which sells the flex lane. */
  public Endpoints(String defaultEndpoint, Map<String, String> defaultModels) {
    this(defaultEndpoint, defaultModels, Set.of());
  }
}
