package dev.loupe.provider;

/**
 * One provider's API, built once per process. Clients make exactly one HTTP exchange per call and
 * never retry: Temporal is the single retry owner. They fail with a {@link ProviderException}.
 */
public interface ModelClient {

  ModelResponse complete(ModelRequest request) throws ProviderException;
}
