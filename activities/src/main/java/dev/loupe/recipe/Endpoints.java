package dev.loupe.recipe;

import java.util.Map;
import java.util.Objects;

/**
 * The model endpoints this deployment has configured, by name, as recipes see them: a name and a
 * default model. Keys and URLs stay with the workers.
 *
 * @param defaultEndpoint used by stages that name none
 * @param defaultModels endpoint name to its default model
 */
public record Endpoints(String defaultEndpoint, Map<String, String> defaultModels) {
  public Endpoints {
    Objects.requireNonNull(defaultEndpoint, "defaultEndpoint");
    defaultModels = Map.copyOf(defaultModels);
    if (!defaultModels.containsKey(defaultEndpoint)) {
      throw new IllegalArgumentException(
          "default endpoint '" + defaultEndpoint + "' is not among " + defaultModels.keySet());
    }
  }
}
