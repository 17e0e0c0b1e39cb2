package dev.loupe.provider.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderCodec;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.ProviderMessages;
import dev.loupe.provider.StructuredText;
import dev.loupe.provider.WireJson;
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
 * OpenAI Chat Completions ({@code POST {baseUrl}/chat/completions}), also spoken by vLLM, SGLang
 * and Ollama: the request body, the answer's reading (refusals, content filter, vLLM's {@code
 * abort}, cut-off structured output) and the error classification of {@link OpenAiErrors}. The body
 * is also the {@code body} of a {@code /v1/chat/completions} batch line.
 */
public final class OpenAiCodec implements ProviderCodec {
  private static final Logger LOG = LoggerFactory.getLogger(OpenAiCodec.class);
  private static final String IMAGE_DETAIL = "auto";
  private static final String REQUEST_ID = "x-request-id";
  private static final int MAX_REFUSAL_CHARS = 300;

  private final OpenAiSettings settings;
  private final HttpUrl url;
  private final Headers headers;

  public OpenAiCodec(OpenAiSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.url = settings.chatCompletionsUrl();
    Headers.Builder auth = new Headers.Builder();
    if (settings.apiKey() != null) {
      auth.add("Authorization", "Bearer " + settings.apiKey().value());
    }
    this.headers = auth.build();
  }

  @Override
  public String api() {
    return "OpenAI API";
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
    return WireJson.tree(
        new ChatRequest(
            request.model(),
            messages,
            newField ? request.maxOutputTokens() : null,
            newField ? null : request.maxOutputTokens(),
            format));
  }

  private static String dataUrl(ModelRequest.PreparedImage image) {
    Objects.requireNonNull(image.mimeType(), "image mimeType");
    return "data:"
        + image.mimeType()
        + ";base64,"
        + Base64.getEncoder().encodeToString(image.bytes());
  }

  @Override
  public ProviderException classify(
      int status, Headers headers, String body, String requestId, Instant receivedAt) {
    return OpenAiErrors.classify(
        status, headers, body, requestId, receivedAt, settings.apiKey(), WireJson.mapper());
  }

  @Override
  public ModelResponse decode(ModelRequest request, Answer answer) throws ProviderException {
    int status = answer.status();
    String requestId = answer.requestId();
    ChatResponse response;
    try {
      response = WireJson.read(answer.body(), ChatResponse.class);
    } catch (IOException e) {
      throw malformed(
          status,
          "response is not a chat completion (" + ProviderMessages.where(e) + ")",
          requestId);
    }
    if (response == null || response.choices() == null || response.choices().isEmpty()) {
      throw malformed(status, "response has no choices", requestId);
    }
    Choice choice = response.choices().get(0);
    ResponseMessage message = choice.message();
    if (message == null) {
      throw malformed(status, "first choice has no message", requestId);
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
          requestId);
    }
    String content = message.content();
    if (content == null || content.isBlank()) {
      throw malformed(status, "empty content, finish_reason " + choice.finishReason(), requestId);
    }
    if (structured) {
      StructuredText.requireJsonObject(content, status, requestIdSuffix(requestId));
    }
    Usage usage = response.usage();
    if (usage == null) {
      LOG.warn("chat completion without usage model={} requestId={}", response.model(), requestId);
      usage = Usage.NONE;
    }
    return new ModelResponse(
        content,
        response.model() == null ? request.model() : response.model(),
        usage.promptTokens(),
        usage.completionTokens(),
        usage.cachedTokens(),
        0,
        answer.latencyMillis());
  }

  private static ProviderException malformed(int status, String message, String requestId) {
    return new ProviderException(
        FailureType.MALFORMED_OUTPUT, status, null, message + requestIdSuffix(requestId), null);
  }

  private static String requestIdSuffix(String requestId) {
    return ProviderMessages.requestIdSuffix(REQUEST_ID, requestId);
  }
}
