package dev.loupe.provider.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelClient;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.openai.OpenAiWire.ChatRequest;
import dev.loupe.provider.openai.OpenAiWire.ChatResponse;
import dev.loupe.provider.openai.OpenAiWire.Choice;
import dev.loupe.provider.openai.OpenAiWire.ContentPart;
import dev.loupe.provider.openai.OpenAiWire.ImagePart;
import dev.loupe.provider.openai.OpenAiWire.ImageUrl;
import dev.loupe.provider.openai.OpenAiWire.Message;
import dev.loupe.provider.openai.OpenAiWire.ResponseFormat;
import dev.loupe.provider.openai.OpenAiWire.ResponseMessage;
import dev.loupe.provider.openai.OpenAiWire.SystemMessage;
import dev.loupe.provider.openai.OpenAiWire.TextPart;
import dev.loupe.provider.openai.OpenAiWire.Usage;
import dev.loupe.provider.openai.OpenAiWire.UserMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI Chat Completions ({@code POST {baseUrl}/chat/completions}), also spoken by vLLM, SGLang
 * and Ollama. One HTTP exchange per call, no retries: transport errors, HTTP errors and unusable
 * output all end in a classified {@link ProviderException}. Thread-safe; build one per endpoint.
 */
public final class OpenAiClient implements ModelClient {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiClient.class);
  private static final MediaType JSON = MediaType.get("application/json");
  private static final String IMAGE_DETAIL = "auto";
  private static final long MAX_ERROR_BODY_BYTES = 64 * 1024;
  private static final int MAX_REFUSAL_CHARS = 300;

  private final OpenAiSettings settings;
  private final OkHttpClient http;
  private final HttpUrl url;
  private final Clock clock;
  private final ObjectMapper mapper;
  private final ObjectMapper strictMapper;

  /**
   * @param http the process's shared client; this client derives one with the call timeout of
   *     {@code settings} that shares its connection pool and threads
   */
  public OpenAiClient(OpenAiSettings settings, OkHttpClient http) {
    this(settings, http, Clock.systemUTC());
  }

  OpenAiClient(OpenAiSettings settings, OkHttpClient http, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    long timeoutMillis = settings.callTimeout().toMillis();
    // Without streaming nothing arrives until the whole answer is ready, so the read timeout
    // must be as long as the call timeout. OkHttp's own silent retries (connection failures, 408)
    // are off: Temporal is the one retry owner.
    this.http =
        http.newBuilder()
            .callTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .readTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
            .retryOnConnectionFailure(false)
            .build();
    this.url = settings.chatCompletionsUrl();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.mapper =
        JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(
                JsonInclude.Value.construct(
                    JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();
    this.strictMapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
  }

  @Override
  public ModelResponse complete(ModelRequest request) throws ProviderException {
    byte[] body = encode(request);
    Request.Builder call = new Request.Builder().url(url).post(RequestBody.create(body, JSON));
    if (settings.apiKey() != null) {
      call.header("Authorization", "Bearer " + settings.apiKey().value());
    }
    long start = System.nanoTime();
    try (Response response = http.newCall(call.build()).execute()) {
      String requestId = response.header("x-request-id");
      if (!response.isSuccessful()) {
        throw OpenAiErrors.classify(
            response.code(),
            response.headers(),
            errorBody(response),
            requestId,
            clock.instant(),
            settings.apiKey(),
            mapper);
      }
      byte[] answer = successBody(response, requestId);
      long latencyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      ModelResponse result = decode(request, answer, response.code(), requestId, latencyMillis);
      LOG.debug(
          "chat completion model={} status={} latencyMs={} requestBytes={} responseBytes={}"
              + " inputTokens={} outputTokens={} requestId={}",
          result.model(),
          response.code(),
          latencyMillis,
          body.length,
          answer.length,
          result.inputTokens(),
          result.outputTokens(),
          requestId);
      return result;
    } catch (IOException e) {
      throw new ProviderException(
          FailureType.TRANSPORT,
          0,
          null,
          "OpenAI API call to " + url.host() + ":" + url.port() + " failed: " + e,
          e);
    }
  }

  byte[] encode(ModelRequest request) {
    List<Message> messages = new ArrayList<>(2);
    if (request.system() != null && !request.system().isBlank()) {
      messages.add(new SystemMessage(request.system()));
    }
    List<ContentPart> parts = new ArrayList<>(2);
    parts.add(new TextPart(request.text()));
    if (request.image() != null) {
      parts.add(new ImagePart(new ImageUrl(dataUrl(request.image()), IMAGE_DETAIL)));
    }
    messages.add(new UserMessage(parts));
    boolean newField = settings.dialect().usesMaxCompletionTokens();
    ResponseFormat format =
        request.schema() == null
            ? null
            : ResponseFormat.jsonSchema(request.schema().name(), request.schema().schema());
    ChatRequest chat =
        new ChatRequest(
            request.model(),
            messages,
            newField ? request.maxOutputTokens() : null,
            newField ? null : request.maxOutputTokens(),
            format);
    try {
      return mapper.writeValueAsBytes(chat);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot encode a chat completion request", e);
    }
  }

  private static String dataUrl(ModelRequest.PreparedImage image) {
    Objects.requireNonNull(image.mimeType(), "image mimeType");
    return "data:"
        + image.mimeType()
        + ";base64,"
        + Base64.getEncoder().encodeToString(image.bytes());
  }

  private static String errorBody(Response response) {
    try {
      return response.peekBody(MAX_ERROR_BODY_BYTES).string();
    } catch (IOException e) {
      // The status alone still classifies the failure.
      return "";
    }
  }

  /** A body that breaks off after a 200 is a broken answer, not an unreachable endpoint. */
  private static byte[] successBody(Response response, String requestId) throws ProviderException {
    try {
      return response.body().bytes();
    } catch (IOException e) {
      throw new ProviderException(
          FailureType.MALFORMED_OUTPUT,
          response.code(),
          null,
          "response body broke off: " + e + requestIdSuffix(requestId),
          e);
    }
  }

  private ModelResponse decode(
      ModelRequest request, byte[] body, int status, String requestId, long latencyMillis)
      throws ProviderException {
    ChatResponse response;
    try {
      response = mapper.readValue(body, ChatResponse.class);
    } catch (IOException e) {
      throw malformed(
          status, "response is not a chat completion (" + where(e) + ")", requestId, null);
    }
    if (response == null || response.choices() == null || response.choices().isEmpty()) {
      throw malformed(status, "response has no choices", requestId, null);
    }
    Choice choice = response.choices().get(0);
    ResponseMessage message = choice.message();
    if (message == null) {
      throw malformed(status, "first choice has no message", requestId, null);
    }
    if (message.refusal() != null && !message.refusal().isBlank()) {
      throw new ProviderException(
          FailureType.REFUSED,
          status,
          null,
          "model refused: " + shortened(message.refusal()) + requestIdSuffix(requestId),
          null);
    }
    if ("content_filter".equals(choice.finishReason())) {
      throw new ProviderException(
          FailureType.REFUSED,
          status,
          null,
          "output withheld by the content filter" + requestIdSuffix(requestId),
          null);
    }
    boolean structured = request.schema() != null;
    if (structured && "length".equals(choice.finishReason())) {
      throw malformed(
          status,
          "structured output cut off at " + request.maxOutputTokens() + " tokens",
          requestId,
          null);
    }
    String content = message.content();
    if (content == null || content.isBlank()) {
      throw malformed(
          status, "empty content, finish_reason " + choice.finishReason(), requestId, null);
    }
    if (structured) {
      requireJsonObject(content, status, requestId);
    }
    Usage usage = response.usage();
    if (usage == null) {
      LOG.warn("chat completion without usage model={} requestId={}", response.model(), requestId);
    }
    return new ModelResponse(
        content,
        response.model() == null ? request.model() : response.model(),
        usage == null ? 0 : usage.promptTokens(),
        usage == null ? 0 : usage.completionTokens(),
        latencyMillis);
  }

  private void requireJsonObject(String content, int status, String requestId)
      throws ProviderException {
    JsonNode parsed;
    try {
      parsed = strictMapper.readTree(content);
    } catch (JsonProcessingException e) {
      throw malformed(
          status,
          "structured output is not valid JSON (" + content.length() + " chars, " + where(e) + ")",
          requestId,
          null);
    }
    if (!parsed.isObject()) {
      throw malformed(
          status,
          "structured output is JSON " + parsed.getNodeType() + ", not an object",
          requestId,
          null);
    }
  }

  /** Where parsing failed, without the parser's message: that quotes the model's output. */
  private static String where(IOException e) {
    if (e instanceof JsonProcessingException json && json.getLocation() != null) {
      return e.getClass().getSimpleName()
          + " at line "
          + json.getLocation().getLineNr()
          + " column "
          + json.getLocation().getColumnNr();
    }
    return e.getClass().getSimpleName();
  }

  private static ProviderException malformed(
      int status, String message, String requestId, Throwable cause) {
    return new ProviderException(
        FailureType.MALFORMED_OUTPUT, status, null, message + requestIdSuffix(requestId), cause);
  }

  private static String shortened(String text) {
    String flat = text.strip().replaceAll("\\s+", " ");
    return flat.length() <= MAX_REFUSAL_CHARS ? flat : flat.substring(0, MAX_REFUSAL_CHARS) + "…";
  }

  private static String requestIdSuffix(String requestId) {
    return requestId == null ? "" : " [x-request-id " + requestId + "]";
  }
}
