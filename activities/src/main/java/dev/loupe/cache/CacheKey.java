package dev.loupe.cache;

import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ProviderCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The address of a cached response: the SHA-256 of the provider, the model and the request body the
 * provider's codec encodes for the request's {@link ModelRequest#canonical() canonical} form
 * (prompt text, the image's SHA-256 instead of its bytes, parameters, schema). Everything that
 * changes what the provider is asked changes the key; the lane, the endpoint's URL and its key do
 * not.
 *
 * @param sha256 64 lowercase hex digits
 */
public record CacheKey(String sha256) {
  private static final Pattern HEX_64 = Pattern.compile("[0-9a-f]{64}");
  private static final byte[] VERSION =
      "loupe-response-cache-v1\n".getBytes(StandardCharsets.UTF_8);

  public CacheKey {
    if (sha256 == null || !HEX_64.matcher(sha256).matches()) {
      throw new IllegalArgumentException("a cache key is 64 lowercase hex digits: " + sha256);
    }
  }

  /**
   * @param provider the provider kind's configuration name, e.g. {@code openai}
   */
  public static CacheKey of(String provider, ProviderCodec codec, ModelRequest request) {
    ModelRequest canonical = request.canonical();
    MessageDigest digest = newDigest();
    digest.update(VERSION);
    digest.update((provider + "\n" + canonical.model() + "\n").getBytes(StandardCharsets.UTF_8));
    digest.update(codec.encodeBytes(canonical));
    return new CacheKey(HexFormat.of().formatHex(digest.digest()));
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
