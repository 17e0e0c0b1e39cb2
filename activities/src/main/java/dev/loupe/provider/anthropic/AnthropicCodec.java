package dev.loupe.provider.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderCodec;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.ProviderMessages;
import dev.loupe.provider.WireJson;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anthropic Messages ({@code POST {baseUrl}/v1/messages}, key in {@code x-api-key}). Structured
 * output is forced tool use: the schema becomes the input schema of the one tool the model must
 * call, and the tool's input is the output. {@code stop_reason: refusal} ends in {@link
 * FailureType#REFUSED}. The body is also the {@code params} of a Message Batches request.
 */
public final class AnthropicCodec implements ProviderCodec {
  private static final Logger LOG = LoggerFactory.getLogger(AnthropicCodec.class);
  private static final String REQUEST_ID = "request-id";
  private static final int MAX_REFUSAL_CHARS = 300;

  private final AnthropicSettings settings;
  private final HttpUrl url;
  private final Headers headers;

  public AnthropicCodec(AnthropicSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.url = settings.messagesUrl();
    Headers.Builder auth = new Headers.Builder().add("anthropic-version", settings.version());
    if (settings.apiKey() != null) {
      auth.add("x-api-key", settings.apiKey().value());
    }
    this.headers = auth.build();
  }

  @Override
  public String api() {
    return "Anthropic API";
  }

  @Override
  public String requestIdHeader() {
    return REQUEST_ID;
  }

  @Override
  public HttpUrl url(String model) {
    return url;
  }

  @Override
  public Headers headers() {
    return headers;
  }

  @Override
  public ObjectNode encode(ModelRequest request) {
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
    return WireJson.tree(
        new MessagesRequest(
            request.model(),
            request.maxOutputTokens(),
            request.system() == null || request.system().isBlank() ? null : request.system(),
            List.of(new Message("user", content)),
            tools,
            choice));
  }

  @Override
  public ProviderException classify(
      int status, Headers headers, String body, String requestId, Instant receivedAt) {
    return AnthropicErrors.classify(
        status, headers, body, requestId, receivedAt, settings.apiKey(), WireJson.mapper());
  }

  @Override
  public ModelResponse decode(ModelRequest request, Answer answer) throws ProviderException {
    int status = answer.status();
    String requestId = answer.requestId();
    MessageResponse response;
    try {
      response = WireJson.read(answer.body(), MessageResponse.class);
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
      usage = Usage.NONE;
    }
    return new ModelResponse(
        output,
        response.model() == null ? request.model() : response.model(),
        usage.inputTokens() + usage.cacheCreationInputTokens() + usage.cacheReadInputTokens(),
        usage.outputTokens(),
        usage.cacheReadInputTokens(),
        usage.cacheCreationInputTokens(),
        answer.latencyMillis());
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
