package dev.loupe.provider;

import dev.loupe.contract.Lane;
import java.util.Objects;

/**
 * An endpoint's online client and its flex client (the same wire format with a longer call timeout:
 * flex answers may take many minutes), chosen by the request's lane.
 */
public final class LaneClient implements ModelClient {
  private final ModelClient online;
  private final ModelClient flex;

  public LaneClient(ModelClient online, ModelClient flex) {
    this.online = Objects.requireNonNull(online, "online");
    this.flex = Objects.requireNonNull(flex, "flex");
  }

  @Override
  public ModelResponse complete(ModelRequest request) throws ProviderException {
    return request.lane() == Lane.FLEX ? flex.complete(request) : online.complete(request);
  }
}
