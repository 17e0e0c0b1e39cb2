package dev.loupe.provider.anthropic;

import dev.loupe.provider.Secret;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * Where and how {@link AnthropicClient} calls the Messages API.
 *
 * @param baseUrl the API root as the official SDKs take it, e.g. {@code https://api.anthropic.com};
 *     a root that already ends in {@code /v1} is accepted too
 * @param apiKey sent as {@code x-api-key}, or null for a gateway that needs none
 * @param version the {@code anthropic-version} header
 * @param callTimeout the limit on one whole HTTP exchange; keep it below the activity's
 *     start-to-close timeout
 * @param promptCache whether requests mark the image as a prompt-cache prefix ({@code
 *     cache_control}); cache writes cost more than plain input, reads much less
 */
public record AnthropicSettings(
    String baseUrl, Secret apiKey, String version, Duration callTimeout, boolean promptCache) {
  public static final String DEFAULT_VERSION = "2023-06-01";
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(120);

  public AnthropicSettings {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(callTimeout, "callTimeout");
    if (HttpUrl.parse(baseUrl) == null) {
      throw new IllegalArgumentException("baseUrl is not an http(s) URL: " + baseUrl);
    }
    if (callTimeout.isNegative() || callTimeout.isZero()) {
      throw new IllegalArgumentException("callTimeout must be positive: " + callTimeout);
    }
  }

  /** Without prompt caching. */
  public AnthropicSettings(String baseUrl, Secret apiKey, String version, Duration callTimeout) {
    this(baseUrl, apiKey, version, callTimeout, false);
  }

  /** The official API with the default version and call timeout. */
  public static AnthropicSettings of(String baseUrl, Secret apiKey) {
    return new AnthropicSettings(baseUrl, apiKey, DEFAULT_VERSION, DEFAULT_CALL_TIMEOUT);
  }

  /** The Messages URL under {@link #baseUrl()}. */
  HttpUrl messagesUrl() {
    HttpUrl root = HttpUrl.get(baseUrl);
    List<String> segments = root.pathSegments().stream().filter(s -> !s.isEmpty()).toList();
    HttpUrl.Builder url = root.newBuilder();
    if (segments.isEmpty() || !segments.getLast().equals("v1")) {
      url.addPathSegment("v1");
    }
    // OkHttp replaces a trailing empty segment, so a trailing '/' makes no difference.
    return url.addPathSegment("messages").build();
  }
}
