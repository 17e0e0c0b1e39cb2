package dev.loupe.provider.gemini;

import dev.loupe.provider.Secret;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * Where and how {@link GeminiClient} calls the Gemini API.
 *
 * @param baseUrl the API root with its version, e.g. {@code
 *     https://generativelanguage.googleapis.com/v1beta}; a root without a path gets {@code /v1beta}
 * @param apiKey sent as {@code x-goog-api-key}, or null for a gateway that needs none
 * @param callTimeout the limit on one whole HTTP exchange; keep it below the activity's
 *     start-to-close timeout
 */
public record GeminiSettings(String baseUrl, Secret apiKey, Duration callTimeout) {
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(120);
  static final String DEFAULT_VERSION = "v1beta";

  public GeminiSettings {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(callTimeout, "callTimeout");
    if (HttpUrl.parse(baseUrl) == null) {
      throw new IllegalArgumentException("baseUrl is not an http(s) URL: " + baseUrl);
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
    }
  }

  /**
   * The {@code generateContent} URL of a model; a leading {@code models/} in its name is kept once.
   */
  HttpUrl generateContentUrl(String model) {
    return modelMethodUrl(model, "generateContent");
  }

  /** A method of a model, e.g. {@code batchGenerateContent}: {@code <root>/models/<m>:<method>}. */
  public HttpUrl modelMethodUrl(String model, String method) {
    String name = model.startsWith("models/") ? model.substring("models/".length()) : model;
    // OkHttp replaces a trailing empty segment, so ".../v1beta" and ".../v1beta/" agree.
    return apiRoot().addPathSegment("models").addPathSegment(name + ":" + method).build();
  }

  /**
   * The API root with its version, e.g. {@code https://generativelanguage.googleapis.com/v1beta}.
   */
  public HttpUrl.Builder apiRoot() {
    HttpUrl root = HttpUrl.get(baseUrl);
    HttpUrl.Builder url = root.newBuilder();
    if (root.pathSegments().stream().allMatch(String::isEmpty)) {
      url.addPathSegment(DEFAULT_VERSION);
    }
    return url;
  }
}
