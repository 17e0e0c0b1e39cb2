package dev.loupe.stage;

import dev.loupe.image.ProviderImageLimits;
import dev.loupe.provider.ModelClient;
import java.util.Objects;

/**
 * A configured endpoint as the API pool uses it: its name (and so its task queue), its client and
 * the image limits of its provider.
 */
public record ModelEndpoint(String name, ModelClient client, ProviderImageLimits imageLimits) {
  public ModelEndpoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(imageLimits, "imageLimits");
  }
}
