package dev.loupe.cache;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loupe.provider.ModelResponse;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model responses by {@link CacheKey}, one small JSON blob each under a root directory or S3 prefix
 * ({@code <root>/<2 hex>/<key>.json}). An entry holds the output text, the reported model and the
 * usage counts: never the request, never a key. Writes go through {@link BlobStore#write}, which is
 * atomic (a temporary file renamed locally, one PUT on S3), so concurrent writers of the same key
 * leave one whole entry. An entry that is missing, unreadable or does not parse is a miss; a failed
 * write is logged and forgotten: the cache never fails a call. Thread-safe.
 */
public final class ResponseCache {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseCache.class);
  private static final int FORMAT = 1;
  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final BlobStore store;
  private final URI root;

  /**
   * @param root a directory or S3 prefix URI from {@link Locations}
   */
  public ResponseCache(BlobStore store, URI root) {
    this.store = Objects.requireNonNull(store, "store");
    this.root = Locations.asDirectory(Objects.requireNonNull(root, "root"));
  }

  public URI root() {
    return root;
  }

  /** One stored response. */
  record Entry(
      int format,
      String key,
      String text,
      String model,
      long inputTokens,
      long outputTokens,
      long cachedInputTokens,
      long cacheWriteTokens,
      long latencyMillis) {}

  /** The stored response, or empty when there is none or it cannot be read. */
  public Optional<ModelResponse> lookup(CacheKey key) {
    URI uri = uriOf(key);
    Optional<byte[]> bytes;
    try {
      bytes = store.readIfExists(uri);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "response cache entry {} unreadable, treated as a miss: {}", key.sha256(), e.toString());
      return Optional.empty();
    }
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    Entry entry;
    try {
      entry = JSON.readValue(bytes.get(), Entry.class);
    } catch (IOException e) {
      LOG.warn("response cache entry {} does not parse, treated as a miss", key.sha256());
      return Optional.empty();
    }
    if (entry == null
        || entry.format() != FORMAT
        || !key.sha256().equals(entry.key())
        || entry.text() == null
        || entry.inputTokens() < 0
        || entry.outputTokens() < 0) {
      LOG.warn("response cache entry {} is not a valid entry, treated as a miss", key.sha256());
      return Optional.empty();
    }
    return Optional.of(
        new ModelResponse(
            entry.text(),
            entry.model(),
            entry.inputTokens(),
            entry.outputTokens(),
            entry.cachedInputTokens(),
            entry.cacheWriteTokens(),
            entry.latencyMillis()));
  }

  /** Stores {@code response} under {@code key}, replacing what was there; never throws. */
  public void store(CacheKey key, ModelResponse response) {
    Entry entry =
        new Entry(
            FORMAT,
            key.sha256(),
            response.text(),
            response.model(),
            response.inputTokens(),
            response.outputTokens(),
            response.cachedInputTokens(),
            response.cacheWriteTokens(),
            response.latencyMillis());
    try {
      store.write(uriOf(key), JSON.writeValueAsBytes(entry));
    } catch (IOException | RuntimeException e) {
      LOG.warn("response cache entry {} not written: {}", key.sha256(), e.toString());
    }
  }

  URI uriOf(CacheKey key) {
    String hex = key.sha256();
    return Locations.resolve(root, hex.substring(0, 2) + "/" + hex + ".json");
  }
}
