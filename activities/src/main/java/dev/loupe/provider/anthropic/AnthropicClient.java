package dev.loupe.provider.anthropic;

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
import dev.loupe.provider.anthropic.AnthropicWire.Block;
import dev.loupe.provider.anthropic.AnthropicWire.ContentBlock;
import dev.loupe.provider.anthropic.AnthropicWire.ImageBlock;
import dev.loupe.provider.anthropic.AnthropicWire.ImageSource;
import dev.loupe.provider.anthropic.AnthropicWire.Message;
import dev.loupe.provider.anthropic.AnthropicWire.MessageResponse;
import dev.loupe.provider.anthropic.AnthropicWire.MessagesRequest;
import dev.loupe.provider.anthropic.AnthropicWire.TextBlock;
import dev.loupe.provider.anthropic.AnthropicWire.Tool;
import dev.loupe.provider.anthropic.AnthropicWire.ToolChoice;
import dev.loupe.provider.anthropic.AnthropicWire.Usage;
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
 * Anthropic Messages ({@code POST {baseUrl}/v1/messages}, key in {@code x-api-key}). One HTTP
 * exchange per call, no retries. Structured output is forced tool use: the schema becomes the input
 * schema of the one tool the model must call, and the tool's input is the output. {@code
 * stop_reason: refusal} ends in {@link FailureType#REFUSED}. Thread-safe; build one per endpoint.
 */
public final class AnthropicClient implements ModelClient {
  private static final Logger LOG = LoggerFactory.getLogger(AnthropicClient.class);
  private static final String REQUEST_ID = "request-id";
  private static final int MAX_REFUSAL_CHARS = 300;

  private final AnthropicSettings settings;
  private final ProviderHttp http;
  private final HttpUrl url;
  private final ObjectMapper mapper;

  /**
   * @param http the process's shared client; this client derives one with the call timeout of
   *     {@code settings} that shares its connection pool and threads
   */
  public AnthropicClient(AnthropicSettings settings, OkHttpClient http) {
    this(settings, http, Clock.systemUTC());
  }

  AnthropicClient(AnthropicSettings settings, OkHttpClient http, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.http = new ProviderHttp("Anthropic API", http, settings.callTimeout(), clock);
    this.url = settings.messagesUrl();
    this.mapper =
        JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .defaultPropertyInclusion(
                JsonInclude.Value.construct(
                    JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();
  }

  @Override
  public ModelResponse complete(ModelRequest request) throws ProviderException {
    byte[] body = encode(request);
    Headers.Builder headers = new Headers.Builder().add("anthropic-version", settings.version());
    if (settings.apiKey() != null) {
      headers.add("x-api-key", settings.apiKey().value());
    }
    ProviderHttp.Reply reply = http.post(url, headers.build(), body, REQUEST_ID);
    if (!reply.successful()) {
      throw AnthropicErrors.classify(
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
        "messages model={} status={} latencyMs={} requestBytes={} responseBytes={}"
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
    List<Block> content = new ArrayList<>(2);
    if (request.image() != null) {
      ModelRequest.PreparedImage image = request.image();
      Objects.requireNonNull(image.mimeType(), "image mimeType");
      // The docs: images before text work best.
      content.add(
          new ImageBlock(
              ImageSource.base64(
                  image.mimeType(), Base64.getEncoder().encodeToString(image.bytes()))));
    }
    content.add(new TextBlock(request.text()));
    List<Tool> tools = null;
    ToolChoice choice = null;
    if (request.schema() != null) {
      String name = request.schema().name();
      tools =
          List.of(new Tool(name, "Record the answer as " + name + ".", request.schema().schema()));
      choice = ToolChoice.tool(name);
    }
    MessagesRequest messages =
        new MessagesRequest(
            request.model(),
            request.maxOutputTokens(),
            request.system() == null || request.system().isBlank() ? null : request.system(),
            List.of(new Message("user", content)),
            tools,
            choice);
    try {
      return mapper.writeValueAsBytes(messages);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot encode a messages request", e);
    }
  }

  private ModelResponse decode(
      ModelRequest request, byte[] body, int status, String requestId, long latencyMillis)
      throws ProviderException {
    MessageResponse response;
    try {
      response = mapper.readValue(body, MessageResponse.class);
    } catch (IOException e) {
      throw malformed(
          status, "response is not a message (" + ProviderMessages.where(e) + ")", requestId);
    }
    if (response == null || response.content() == null) {
      throw malformed(status, "response has no content", requestId);
    }
    String stopReason = response.stopReason();
    if ("refusal".equals(stopReason)) {
      String said = text(response.content());
      throw new ProviderException(
          FailureType.REFUSED,
          status,
          null,
          "model refused"
              + (said.isBlank() ? "" : ": " + ProviderMessages.excerpt(said, MAX_REFUSAL_CHARS))
              + requestIdSuffix(requestId),
          null);
    }
    boolean cutOff =
        "max_tokens".equals(stopReason) || "model_context_window_exceeded".equals(stopReason);
    String output =
        request.schema() == null
            ? freeText(response, cutOff, status, requestId)
            : toolInput(request, response, cutOff, status, requestId);
    Usage usage = response.usage();
    if (usage == null) {
      LOG.warn("message without usage model={} requestId={}", response.model(), requestId);
    }
    return new ModelResponse(
        output,
        response.model() == null ? request.model() : response.model(),
        usage == null
            ? 0
            : usage.inputTokens() + usage.cacheCreationInputTokens() + usage.cacheReadInputTokens(),
        usage == null ? 0 : usage.outputTokens(),
        latencyMillis);
  }

  private static String freeText(
      MessageResponse response, boolean cutOff, int status, String requestId)
      throws ProviderException {
    String stopReason = response.stopReason();
    if (!cutOff
        && stopReason != null
        && !"end_turn".equals(stopReason)
        && !"stop_sequence".equals(stopReason)) {
      throw malformed(status, "generation ended with stop_reason " + stopReason, requestId);
    }
    String text = text(response.content());
    if (text.isBlank()) {
      throw malformed(status, "empty content, stop_reason " + stopReason, requestId);
    }
    return text;
  }

  /** The forced tool call's input, as JSON text. */
  private static String toolInput(
      ModelRequest request, MessageResponse response, boolean cutOff, int status, String requestId)
      throws ProviderException {
    if (cutOff) {
      throw malformed(
          status,
          "structured output cut off at " + request.maxOutputTokens() + " tokens",
          requestId);
    }
    String name = request.schema().name();
    for (ContentBlock block : response.content()) {
      if ("tool_use".equals(block.type()) && name.equals(block.name())) {
        if (block.input() == null || !block.input().isObject()) {
          throw malformed(status, "tool " + name + " was called without an object", requestId);
        }
        return block.input().toString();
      }
    }
    throw malformed(
        status,
        "the model did not call the " + name + " tool (stop_reason " + response.stopReason() + ")",
        requestId);
  }

  private static String text(List<ContentBlock> content) {
    StringBuilder text = new StringBuilder();
    for (ContentBlock block : content) {
      if ("text".equals(block.type()) && block.text() != null) {
        text.append(block.text());
      }
    }
    return text.toString();
  }

  private static ProviderException malformed(int status, String message, String requestId) {
    return new ProviderException(
        FailureType.MALFORMED_OUTPUT, status, null, message + requestIdSuffix(requestId), null);
  }

  private static String requestIdSuffix(String requestId) {
    return ProviderMessages.requestIdSuffix(REQUEST_ID, requestId);
  }
}
