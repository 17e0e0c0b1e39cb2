package dev.loupe.captioner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Asks an OpenAI-compatible model server whether it answers: {@code GET /health} (vLLM and SGLang
 * answer 200 once the model is loaded), falling back to {@code GET <modelUrl>/models} on servers
 * that have no health endpoint (404), or the configured path. Each check is one short request.
 */
final class ModelServerProbe {
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final OkHttpClient http;
  private final HttpUrl health;
  private final HttpUrl models;
  private final boolean healthConfigured;
  private volatile boolean healthMissing;

  /**
   * @param http the process's client; a derived one with short timeouts is used
   * @param modelUrl the OpenAI API root, e.g. {@code http://127.0.0.1:8000/v1}
   * @param healthPath the health endpoint's path, or null for {@code /health} with the fallback
   */
  ModelServerProbe(OkHttpClient http, String modelUrl, String healthPath) {
    this.http =
        http.newBuilder()
            .callTimeout(CHECK_TIMEOUT)
            .connectTimeout(CHECK_TIMEOUT)
            .readTimeout(CHECK_TIMEOUT)
            .retryOnConnectionFailure(false)
            .build();
    HttpUrl root = HttpUrl.get(modelUrl);
    this.health = root.resolve(healthPath == null ? "/health" : healthPath);
    this.models = root.newBuilder().addPathSegments("models").build();
    this.healthConfigured = healthPath != null;
  }

  /** The outcome of one check. */
  record Health(boolean up, String detail) {}

  Health check() {
    if (!healthMissing) {
      Health answer = get(health);
      if (healthConfigured || !answer.detail().startsWith("HTTP 404")) {
        return answer;
      }
      healthMissing = true;
    }
    return get(models);
  }

  /** The models the server lists at {@code <modelUrl>/models}, in its order; empty when none. */
  List<String> models() {
    try (Response response = http.newCall(new Request.Builder().url(models).build()).execute()) {
      if (!response.isSuccessful()) {
        return List.of();
      }
      List<String> ids = new ArrayList<>();
      for (JsonNode model : JSON.readTree(response.body().byteStream()).path("data")) {
        JsonNode id = model.path("id");
        if (id.isTextual() && !id.asText().isBlank()) {
          ids.add(id.asText());
        }
      }
      return ids;
    } catch (IOException e) {
      // Garbage is as good as no answer: not serving yet.
      return List.of();
    }
  }

  /** The first model the server lists at {@code <modelUrl>/models}, if it lists any. */
  Optional<String> firstModel() {
    return models().stream().findFirst();
  }

  String healthUrl() {
    return healthMissing ? models.toString() : health.toString();
  }

  private Health get(HttpUrl url) {
    try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
      return response.isSuccessful()
          ? new Health(true, "HTTP " + response.code())
          : new Health(false, "HTTP " + response.code() + " from " + url);
    } catch (IOException e) {
      return new Health(
          false, e.getClass().getSimpleName() + " from " + url + ": " + e.getMessage());
    }
  }
}
