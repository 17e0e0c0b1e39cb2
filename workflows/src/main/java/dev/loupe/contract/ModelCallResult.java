package dev.loupe.contract;

/**
 * A stage result made by one paid model call. Interceptors read {@link #call()} for metrics
 * (tokens, cost, latency by endpoint and stage) without knowing each result type.
 */
public interface ModelCallResult {
  ModelCall call();
}
