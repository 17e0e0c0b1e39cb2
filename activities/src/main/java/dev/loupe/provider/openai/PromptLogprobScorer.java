package dev.loupe.provider.openai;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.CaptionScorer;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.ProviderHttp;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Scores captions on vLLM with its prompt log-probabilities (verified against vLLM 0.32; see
 * docs/engine.md). Two exchanges per caption:
 *
 * <ol>
 *   <li>{@code POST /tokenize} at the server root with {@code add_special_tokens: false}: the
 *       caption's own tokens;
 *   <li>{@code POST /v1/chat/completions} with the image and the instruction as the user's turn and
 *       the caption as a continued assistant turn ({@code add_generation_prompt: false, \
 *       continue_final_message: true, max_tokens: 1, prompt_logprobs: 0, return_token_ids: true}).
 *       The top-level {@code prompt_logprobs} hold one entry per prompt token; the caption's are
 *       the last ones, checked against the tokenizer's ids through {@code prompt_token_ids}.
 * </ol>
 *
 * <p>A server that answers without {@code prompt_logprobs} (an OpenAI-compatible server other than
 * vLLM) fails as {@link FailureType#BAD_REQUEST} naming it; error statuses are classified as for
 * chat calls. Thread-safe; build one per endpoint.
 */
public final class PromptLogprobScorer implements CaptionScorer {
  private static final String API = "vLLM prompt log-probabilities";
  private static final String REQUEST_ID = "x-request-id";

  private final OpenAiSettings settings;
  private final ProviderHttp http;
  private final Clock clock;
  private final ObjectMapper json =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  public PromptLogprobScorer(OpenAiSettings settings, OkHttpClient shared) {
    this(settings, shared, Clock.systemUTC());
  }

  PromptLogprobScorer(OpenAiSettings settings, OkHttpClient shared, Clock clock) {
    this.settings = settings;
    this.http = new ProviderHttp(API, shared, settings.callTimeout(), clock);
    this.clock = clock;
  }

  @Override
  public Score score(Request request) throws ProviderException {
    ProviderHttp.Reply tokenized = post(tokenizeUrl(), tokenizeBody(request));
    List<Long> captionIds = tokenIds(read(tokenized), tokenized);
    ProviderHttp.Reply scored = post(settings.chatCompletionsUrl(), chatBody(request));
    JsonNode root = read(scored);
    JsonNode logprobs = root.get("prompt_logprobs");
    if (logprobs == null || !logprobs.isArray()) {
      throw new ProviderException(
          FailureType.BAD_REQUEST,
          scored.status(),
          null,
          "the server at "
              + host()
              + " answered without prompt_logprobs, so it cannot score perplexity: the check needs"
              + " a server that returns prompt log-probabilities (vLLM)"
              + suffix(scored),
          null);
    }
    JsonNode promptIds = root.get("prompt_token_ids");
    int n = captionIds.size();
    int total = logprobs.size();
    if (n > total) {
      throw malformed("the caption has " + n + " tokens but the prompt only " + total, scored);
    }
    if (promptIds != null && promptIds.isArray()) {
      if (promptIds.size() != total) {
        throw malformed(
            "prompt_token_ids has " + promptIds.size() + " entries and prompt_logprobs " + total,
            scored);
      }
      for (int i = 0; i < n; i++) {
        long id = promptIds.get(total - n + i).asLong();
        if (id != captionIds.get(i)) {
          throw malformed(
              "the prompt's last "
                  + n
                  + " tokens are not the caption's (token "
                  + i
                  + ": "
                  + id
                  + " in the prompt, "
                  + captionIds.get(i)
                  + " from /tokenize)",
              scored);
        }
      }
    }
    double[] values = new double[n];
    for (int i = 0; i < n; i++) {
      int position = total - n + i;
      JsonNode entry = logprobs.get(position);
      String key =
          promptIds != null && promptIds.isArray() ? promptIds.get(position).asText() : null;
      values[i] = logprobOf(entry, key, position, scored);
    }
    long promptTokens = root.path("usage").path("prompt_tokens").asLong(total);
    String model = root.hasNonNull("model") ? root.get("model").asText() : null;
    return new Score(
        values, promptTokens, model, tokenized.latencyMillis() + scored.latencyMillis());
  }

  /**
   * The actual token's log-probability in an entry of {@code prompt_logprobs}: a map from token id
   * to {@code {logprob, rank, decoded_token}} holding the prompt's token (and, with a positive
   * {@code prompt_logprobs}, the top alternatives).
   */
  private double logprobOf(JsonNode entry, String tokenId, int position, ProviderHttp.Reply reply)
      throws ProviderException {
    if (entry == null || !entry.isObject() || entry.isEmpty()) {
      throw malformed("prompt_logprobs[" + position + "] is not a token map", reply);
    }
    JsonNode chosen = tokenId != null ? entry.get(tokenId) : null;
    if (chosen == null) {
      if (entry.size() != 1) {
        throw malformed(
            "prompt_logprobs[" + position + "] does not hold the prompt's token " + tokenId, reply);
      }
      chosen = entry.elements().next();
    }
    JsonNode logprob = chosen.get("logprob");
    if (logprob != null && logprob.isNumber()) {
      return logprob.asDouble();
    }
    if (logprob != null && logprob.isTextual()) {
      // Python's json writes -inf as a bare -Infinity (read as a number above); some servers quote
      // it, or write -inf.
      switch (logprob.asText().strip().toLowerCase(java.util.Locale.ROOT)) {
        case "-infinity", "-inf" -> {
          return Double.NEGATIVE_INFINITY;
        }
        case "nan" -> {
          return Double.NaN;
        }
        default -> {}
      }
    }
    throw malformed("prompt_logprobs[" + position + "] has no numeric logprob", reply);
  }

  private byte[] tokenizeBody(Request request) {
    ObjectNode body = json.createObjectNode();
    body.put("model", request.model());
    body.put("prompt", request.caption());
    body.put("add_special_tokens", false);
    return bytes(body);
  }

  private byte[] chatBody(Request request) {
    ObjectNode body = json.createObjectNode();
    body.put("model", request.model());
    ArrayNode messages = body.putArray("messages");
    ObjectNode user = messages.addObject();
    user.put("role", "user");
    ArrayNode content = user.putArray("content");
    if (request.image() != null) {
      ObjectNode image = content.addObject();
      image.put("type", "image_url");
      image
          .putObject("image_url")
          .put(
              "url",
              "data:"
                  + request.image().mimeType()
                  + ";base64,"
                  + Base64.getEncoder().encodeToString(request.image().bytes()));
    }
    content.addObject().put("type", "text").put("text", request.instruction());
    messages.addObject().put("role", "assistant").put("content", request.caption());
    body.put("add_generation_prompt", false);
    body.put("continue_final_message", true);
    body.put("max_tokens", 1);
    body.put("prompt_logprobs", 0);
    body.put("return_token_ids", true);
    return bytes(body);
  }

  private ProviderHttp.Reply post(HttpUrl url, byte[] body) throws ProviderException {
    Headers.Builder headers = new Headers.Builder();
    if (settings.apiKey() != null) {
      headers.add("Authorization", "Bearer " + settings.apiKey().value());
    }
    ProviderHttp.Reply reply = http.post(url, headers.build(), body, REQUEST_ID);
    if (!reply.successful()) {
      throw OpenAiErrors.classify(
          reply.status(),
          reply.headers(),
          reply.text(),
          reply.requestId(),
          clock.instant(),
          settings.apiKey(),
          json);
    }
    return reply;
  }

  private List<Long> tokenIds(JsonNode root, ProviderHttp.Reply reply) throws ProviderException {
    JsonNode tokens = root.get("tokens");
    if (tokens == null || !tokens.isArray()) {
      throw malformed("/tokenize answered without a \"tokens\" list", reply);
    }
    List<Long> ids = new ArrayList<>();
    for (JsonNode token : tokens) {
      if (!token.canConvertToLong()) {
        throw malformed("/tokenize answered a token that is not an id: " + token, reply);
      }
      ids.add(token.asLong());
    }
    return ids;
  }

  /** {@code /tokenize} at the server's root: the base URL without its trailing {@code v1}. */
  HttpUrl tokenizeUrl() {
    HttpUrl base = HttpUrl.get(settings.baseUrl());
    List<String> segments = new ArrayList<>(base.pathSegments());
    while (!segments.isEmpty() && segments.get(segments.size() - 1).isEmpty()) {
      segments.remove(segments.size() - 1);
    }
    if (!segments.isEmpty() && segments.get(segments.size() - 1).equals("v1")) {
      segments.remove(segments.size() - 1);
    }
    HttpUrl.Builder url = base.newBuilder().encodedPath("/");
    for (String segment : segments) {
      url.addPathSegment(segment);
    }
    return url.addPathSegment("tokenize").build();
  }

  private JsonNode read(ProviderHttp.Reply reply) throws ProviderException {
    try {
      JsonNode root = json.readTree(reply.body());
      if (root == null || !root.isObject()) {
        throw malformed("the answer is not a JSON object", reply);
      }
      return root;
    } catch (IOException e) {
      throw malformed("the answer is not valid JSON (" + e.getMessage() + ")", reply);
    }
  }

  private byte[] bytes(ObjectNode body) {
    try {
      return json.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  private ProviderException malformed(String message, ProviderHttp.Reply reply) {
    return new ProviderException(
        FailureType.MALFORMED_OUTPUT, reply.status(), null, message + suffix(reply), null);
  }

  private String host() {
    HttpUrl base = HttpUrl.get(settings.baseUrl());
    return base.host() + ":" + base.port();
  }

  private static String suffix(ProviderHttp.Reply reply) {
    return reply.requestId() == null ? "" : " (request " + reply.requestId() + ")";
  }
}
