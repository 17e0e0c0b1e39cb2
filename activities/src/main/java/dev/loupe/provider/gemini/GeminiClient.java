package dev.loupe.provider.gemini;

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
import dev.loupe.provider.gemini.GeminiWire.Candidate;
import dev.loupe.provider.gemini.GeminiWire.Content;
import dev.loupe.provider.gemini.GeminiWire.GenerateRequest;
import dev.loupe.provider.gemini.GeminiWire.GenerateResponse;
import dev.loupe.provider.gemini.GeminiWire.GenerationConfig;
import dev.loupe.provider.gemini.GeminiWire.Part;
import dev.loupe.provider.gemini.GeminiWire.ResponsePart;
import dev.loupe.provider.gemini.GeminiWire.UsageMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gemini API's {@code generateContent} ({@code POST {baseUrl}/models/{model}:generateContent},
 * key in {@code x-goog-api-key}). One HTTP exchange per call, no retries. Safety blocks arrive as
 * HTTP 200 and end in {@link FailureType#REFUSED}; structured output uses {@code
 * responseJsonSchema}, or {@code responseSchema} on the 1.5 and 2.0 models that predate it.
 * Thread-safe; build one per endpoint.
 */
public final class GeminiClient implements ModelClient {
  private static final Logger LOG = LoggerFactory.getLogger(GeminiClient.class);
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
  private final ProviderHttp http;
  private final ObjectMapper mapper;

  /**
   * @param http the process's shared client; this client derives one with the call timeout of
   *     {@code settings} that shares its connection pool and threads
   */
  public GeminiClient(GeminiSettings settings, OkHttpClient http) {
    this(settings, http, Clock.systemUTC());
  }

  GeminiClient(GeminiSettings settings, OkHttpClient http, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.http = new ProviderHttp("Gemini API", http, settings.callTimeout(), clock);
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
    Headers.Builder headers = new Headers.Builder();
    if (settings.apiKey() != null) {
      headers.add("x-goog-api-key", settings.apiKey().value());
    }
    ProviderHttp.Reply reply =
        http.post(settings.generateContentUrl(request.model()), headers.build(), body, REQUEST_ID);
    if (!reply.successful()) {
      throw GeminiErrors.classify(
          reply.status(),
          reply.headers(),
          reply.text(),
          reply.receivedAt(),
          settings.apiKey(),
          mapper);
    }
    ModelResponse result = decode(request, reply.body(), reply.status(), reply.latencyMillis());
    LOG.debug(
        "generateContent model={} status={} latencyMs={} requestBytes={} responseBytes={}"
            + " inputTokens={} outputTokens={}",
        result.model(),
        reply.status(),
        reply.latencyMillis(),
        body.length,
        reply.body().length,
        result.inputTokens(),
        result.outputTokens());
    return result;
  }

  byte[] encode(ModelRequest request) {
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
    GenerateRequest generate =
        new GenerateRequest(List.of(new Content("user", parts)), system, generationConfig(request));
    try {
      return mapper.writeValueAsBytes(generate);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot encode a generateContent request", e);
    }
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

  private ModelResponse decode(ModelRequest request, byte[] body, int status, long latencyMillis)
      throws ProviderException {
    GenerateResponse response;
    try {
      response = mapper.readValue(body, GenerateResponse.class);
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
    }
    return new ModelResponse(
        text,
        response.modelVersion() == null ? request.model() : response.modelVersion(),
        usage == null ? 0 : usage.promptTokenCount() + usage.toolUsePromptTokenCount(),
        // Thinking tokens are billed as output.
        usage == null ? 0 : usage.candidatesTokenCount() + usage.thoughtsTokenCount(),
        latencyMillis);
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
