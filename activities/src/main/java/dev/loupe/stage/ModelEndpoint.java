package dev.loupe.stage;

import dev.loupe.image.ProviderImageLimits;
import dev.loupe.provider.ModelClient;
import dev.loupe.provider.ProviderCodec;
import java.time.Duration;
import java.util.Objects;

/**
 * A configured endpoint as the API pool uses it: its name (and so its task queue), its client, the
 * image limits of its provider, and its provider's name and wire format, which key the response
 * cache.
 *
 * @param provider the provider kind's configuration name ({@code openai}, …)
 * @param codec the provider's wire format, or null where responses are not cached
 * @param flexOnlineAfter how long a flex-lane stage keeps trying the flex tier before its calls go
 *     online, or null for never
 */
public record ModelEndpoint(
    String name,
    ModelClient client,
    ProviderImageLimits imageLimits,
    String provider,
    ProviderCodec codec,
    Duration flexOnlineAfter) {
  public ModelEndpoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(imageLimits, "imageLimits");
  }

  /** An endpoint whose responses are not cached. */
  public ModelEndpoint(String name, ModelClient client, ProviderImageLimits imageLimits) {
    this(name, client, imageLimits, null, null, null);
  }

  /** Whether responses of this endpoint can be cached: its wire format is known. */
  public boolean cacheable() {
    return provider != null && codec != null;
  }
}
