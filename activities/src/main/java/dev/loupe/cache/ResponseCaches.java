package dev.loupe.cache;

import dev.loupe.contract.DatasetRequest;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.net.URI;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The response cache a stage uses: the one its plan names ({@code --cache} / {@code "cache"} of the
 * run), none when the plan says {@value DatasetRequest#NO_CACHE}, else this worker's own ({@code
 * cache:} in its configuration, {@code --cache} / {@code --no-cache} of {@code worker}).
 * Thread-safe.
 */
public final class ResponseCaches {
  private final BlobStore store;
  private final Optional<ResponseCache> workerDefault;
  private final Map<URI, ResponseCache> byRoot = new ConcurrentHashMap<>();

  /**
   * @param workerDefault this worker's cache root, or empty for none
   */
  public ResponseCaches(BlobStore store, Optional<URI> workerDefault) {
    this.store = Objects.requireNonNull(store, "store");
    this.workerDefault = workerDefault.map(root -> new ResponseCache(store, root));
  }

  private ResponseCaches() {
    this.store = null;
    this.workerDefault = Optional.empty();
  }

  /** No caching at all, whatever a plan asks for (the captioner pool's local model). */
  public static ResponseCaches none() {
    return new ResponseCaches();
  }

  /**
   * @param planned a stage plan's {@code cache}: a location, {@value DatasetRequest#NO_CACHE}, or
   *     null for this worker's own
   */
  public Optional<ResponseCache> forPlan(String planned) {
    if (planned == null) {
      return workerDefault;
    }
    if (store == null || planned.equals(DatasetRequest.NO_CACHE)) {
      return Optional.empty();
    }
    URI root = Locations.asDirectory(Locations.of(planned));
    return Optional.of(
        byRoot.computeIfAbsent(root, location -> new ResponseCache(store, location)));
  }
}
