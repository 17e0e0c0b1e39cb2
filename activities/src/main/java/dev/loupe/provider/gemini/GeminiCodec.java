package dev.loupe.provider.gemini;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contract.FailureType;
import dev.loupe.provider.ModelRequest;
import dev.loupe.provider.ModelResponse;
import dev.loupe.provider.ProviderCodec;
import dev.loupe.provider.ProviderException;
import dev.loupe.provider.ProviderMessages;
import dev.loupe.provider.StructuredText;
import dev.loupe.provider.WireJson;
import dev.loupe.provider.gemini.GeminiWire.Candidate;
import dev.loupe.provider.gemini.GeminiWire.Content;
import dev.loupe.provider.gemini.GeminiWire.GenerateRequest;
import dev.loupe.provider.gemini.GeminiWire.GenerateResponse;
import dev.loupe.provider.gemini.GeminiWire.GenerationConfig;
import dev.loupe.provider.gemini.GeminiWire.Part;
import dev.loupe.provider.gemini.GeminiWire.ResponsePart;
import dev.loupe.provider.gemini.GeminiWire.UsageMetadata;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gemini API's {@code generateContent} ({@code POST {baseUrl}/models/{model}:generateContent},
 * key in {@code x-goog-api-key}). Safety blocks arrive as HTTP 200 and end in {@link
 * FailureType#REFUSED}; structured output uses {@code responseJsonSchema}, or {@code
 * responseSchema} on the 1.5 and 2.0 models that predate it. The body is also the {@code request}
 * of a {@code batchGenerateContent} entry.
 */
public final class GeminiCodec implements ProviderCodec {
  private static final Logger LOG = LoggerFactory.getLogger(GeminiCodec.class);
  private static final String JSON_MIME_TYPE = "application/json";

  /** Gemini documents no request id header; one that a gateway adds is kept for log lines. */
  private static final String REQUEST_ID = "x-request-id";

  /** Finish reasons that mean a filter or policy withheld the output (SDK {@code FinishReason}). */
  private static final Set<String> BLOCKED =
      Set.of(
          "SAFETY",
          "RECITATION",
          "LANGUAGE",
          "BLOCKLIST",
          "PROHIBITED_CONTENT",
          "SPII",
          "IMAGE_SAFETY",
          "IMAGE_PROHIBITED_CONTENT",
          "IMAGE_RECITATION");

  /** Models older than {@code responseJsonSchema}: they take only the OpenAPI-subset schema. */
  private static final Pattern OPENAPI_SCHEMA_MODELS =
      Pattern.compile("^(models/)?gemini-(1\\.|2\\.0)");

  private final GeminiSettings settings;
  private final Headers headers;

  public GeminiCodec(GeminiSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    Headers.Builder auth = new Headers.Builder();
    if (settings.apiKey() != null) {
      auth.add("x-goog-api-key", settings.apiKey().value());
    }
    this.headers = auth.build();
  }

  @Override
  public String api() {
    return "Gemini API";
  }

  @Override
  public String requestIdHeader() {
    return REQUEST_ID;
  }

  @Override
  public HttpUrl url(String model) {
    return settings.generateContentUrl(model);
  }

  @Override
  public Headers headers() {
    return headers;
  }

  @Override
  public ObjectNode encode(ModelRequest request) {
    List<Part> parts = new ArrayList<>(2);
    if (request.image() != null) {
      ModelRequest.PreparedImage image = request.image();
      Objects.requireNonNull(image.mimeType(), "image mimeType");
      parts.add(Part.image(image.mimeType(), Base64.getEncoder().encodeToString(image.bytes())));
    }
    parts.add(Part.text(request.text()));
    Content system =
        request.system() == null || request.system().isBlank()
            ? null
            : new Content(null, List.of(Part.text(request.system())));
    return WireJson.tree(
        new GenerateRequest(
            List.of(new Content("user", parts)), system, generationConfig(request)));
  }

  private static GenerationConfig generationConfig(ModelRequest request) {
    if (request.schema() == null) {
      return new GenerationConfig(request.maxOutputTokens(), null, null, null);
    }
    if (OPENAPI_SCHEMA_MODELS.matcher(request.model()).find()) {
      return new GenerationConfig(
          request.maxOutputTokens(),
          JSON_MIME_TYPE,
          null,
          OpenApiSchema.from(request.schema().schema()));
    }
    return new GenerationConfig(
        request.maxOutputTokens(), JSON_MIME_TYPE, request.schema().schema(), null);
  }

  @Override
  public ProviderException classify(
      int status, Headers headers, String body, String requestId, Instant receivedAt) {
    return GeminiErrors.classify(
        status, headers, body, receivedAt, settings.apiKey(), WireJson.mapper());
  }

  @Override
  public ModelResponse decode(ModelRequest request, Answer answer) throws ProviderException {
    int status = answer.status();
    GenerateResponse response;
    try {
      response = WireJson.read(answer.body(), GenerateResponse.class);
    } catch (IOException e) {
      throw malformed(
          status, "response is not a GenerateContentResponse (" + ProviderMessages.where(e) + ")");
    }
    if (response == null) {
      throw malformed(status, "response is empty");
    }
    if (response.promptFeedback() != null
        && response.promptFeedback().blockReason() != null
        && !response.promptFeedback().blockReason().equals("BLOCK_REASON_UNSPECIFIED")) {
      throw refused(
          status,
          "prompt blocked: "
              + response.promptFeedback().blockReason()
              + detail(response.promptFeedback().blockReasonMessage()));
    }
    if (response.candidates() == null || response.candidates().isEmpty()) {
      throw malformed(status, "response has no candidates");
    }
    Candidate candidate = response.candidates().get(0);
    String finishReason = candidate.finishReason();
    if (finishReason != null && BLOCKED.contains(finishReason)) {
      throw refused(
          status,
          "output blocked: finishReason " + finishReason + detail(candidate.finishMessage()));
    }
    boolean structured = request.schema() != null;
    boolean cutOff = "MAX_TOKENS".equals(finishReason);
    if (structured && cutOff) {
      throw malformed(
          status, "structured output cut off at " + request.maxOutputTokens() + " tokens");
    }
    if (finishReason != null && !cutOff && !"STOP".equals(finishReason)) {
      throw malformed(status, "generation ended with finishReason " + finishReason);
    }
    String text = answerText(candidate);
    if (text.isBlank()) {
      throw malformed(status, "empty content, finishReason " + finishReason);
    }
    if (structured) {
      StructuredText.requireJsonObject(text, status, "");
    }
    UsageMetadata usage = response.usageMetadata();
    if (usage == null) {
      LOG.warn("generateContent without usageMetadata model={}", request.model());
      usage = UsageMetadata.NONE;
    }
    return new ModelResponse(
        text,
        response.modelVersion() == null ? request.model() : response.modelVersion(),
        usage.promptTokenCount() + usage.toolUsePromptTokenCount(),
        // Thinking tokens are billed as output.
        usage.candidatesTokenCount() + usage.thoughtsTokenCount(),
        usage.cachedContentTokenCount(),
        0,
        answer.latencyMillis());
  }

  /** The text parts of the answer, without a thinking model's thought summaries. */
  private static String answerText(Candidate candidate) {
    if (candidate.content() == null || candidate.content().parts() == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    for (ResponsePart part : candidate.content().parts()) {
      if (part.text() != null && !Boolean.TRUE.equals(part.thought())) {
        text.append(part.text());
      }
    }
    return text.toString();
  }

  private static String detail(String message) {
    return message == null || message.isBlank()
        ? ""
        : " (" + ProviderMessages.excerpt(message, 300) + ")";
  }

  private static ProviderException refused(int status, String message) {
    return new ProviderException(FailureType.REFUSED, status, null, message, null);
  }

  private static ProviderException malformed(int status, String message) {
    return new ProviderException(FailureType.MALFORMED_OUTPUT, status, null, message, null);
  }
}
