package dev.loupe.provider.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelClient;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.ProviderHttp;
import dev.loupe.provider.ProviderMessages;
import dev.loupe.provider.StructuredText;
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
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI Chat Completions ({@code POST {baseUrl}/chat/completions}), also spoken by vLLM, SGLang
 * and Ollama. One HTTP exchange per call, no retries: transport errors, HTTP errors and unusable
 * output all end in a classified {@link ProviderException}. Thread-safe; build one per endpoint.
 */
public final class OpenAiClient implements ModelClient {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiClient.class);
  private static final String IMAGE_DETAIL = "auto";
  private static final String REQUEST_ID = "x-request-id";
  private static final int MAX_REFUSAL_CHARS = 300;

  private final OpenAiSettings settings;
  private final ProviderHttp http;
  private final HttpUrl url;
  private final ObjectMapper mapper;

  /**
   * @param http the process's shared client; this client derives one with the call timeout of
   *     {@code settings} that shares its connection pool and threads
   */
  public OpenAiClient(OpenAiSettings settings, OkHttpClient http) {
    this(settings, http, Clock.systemUTC());
  }

  OpenAiClient(OpenAiSettings settings, OkHttpClient http, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.http = new ProviderHttp("OpenAI API", http, settings.callTimeout(), clock);
    this.url = settings.chatCompletionsUrl();
    this.mapper =
        JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(
                JsonInclude.Value.construct(
                    JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();
  }

  @Override
  public ModelResponse complete(ModelRequest request) throws ProviderException {
    byte[] body = encode(request);
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
          reply.receivedAt(),
          settings.apiKey(),
          mapper);
    }
    ModelResponse result =
        decode(request, reply.body(), reply.status(), reply.requestId(), reply.latencyMillis());
    LOG.debug(
        "chat completion model={} status={} latencyMs={} requestBytes={} responseBytes={}"
            + " inputTokens={} outputTokens={} requestId={}",
        result.model(),
        reply.status(),
        reply.latencyMillis(),
        body.length,
        reply.body().length,
        result.inputTokens(),
        result.outputTokens(),
        reply.requestId());
    return result;
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

  /**
   * Reads a chat completion that came another way (a batch line's response body) exactly as an
   * online answer is read.
   */
  ModelResponse read(ModelRequest request, byte[] body) throws ProviderException {
    return decode(request, body, 200, null, 0);
  }

  /** Classifies an error answer the way an online call's is. */
  ProviderException classify(int status, String body) {
    return OpenAiErrors.classify(
        status, Headers.of(), body, null, java.time.Instant.now(), settings.apiKey(), mapper);
  }

  private ModelResponse decode(
      ModelRequest request, byte[] body, int status, String requestId, long latencyMillis)
      throws ProviderException {
    ChatResponse response;
    try {
      response = mapper.readValue(body, ChatResponse.class);
    } catch (IOException e) {
      throw malformed(
          status,
          "response is not a chat completion (" + ProviderMessages.where(e) + ")",
          requestId,
          null);
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
          "model refused: "
              + ProviderMessages.excerpt(message.refusal(), MAX_REFUSAL_CHARS)
              + requestIdSuffix(requestId),
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
    if ("abort".equals(choice.finishReason())) {
      // vLLM ends a request it dropped (engine restart, preemption) with finish_reason "abort".
      throw new ProviderException(
          FailureType.SERVER_ERROR,
          status,
          null,
          "the server aborted the generation (finish_reason abort)" + requestIdSuffix(requestId),
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
      StructuredText.requireJsonObject(content, status, requestIdSuffix(requestId));
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

  private static ProviderException malformed(
      int status, String message, String requestId, Throwable cause) {
    return new ProviderException(
        FailureType.MALFORMED_OUTPUT, status, null, message + requestIdSuffix(requestId), cause);
  }

  private static String requestIdSuffix(String requestId) {
    return ProviderMessages.requestIdSuffix(REQUEST_ID, requestId);
  }
}
