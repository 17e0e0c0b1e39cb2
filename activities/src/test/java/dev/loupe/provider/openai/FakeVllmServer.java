package dev.loupe.provider.openai;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A fake of the two vLLM endpoints the perplexity check uses, in the exact response shapes vLLM
 * 0.32 gives (docs/engine.md): {@code POST /tokenize} ({@code {count, max_model_len, tokens}}) and
 * {@code POST /v1/chat/completions} with {@code prompt_logprobs} and {@code return_token_ids} (the
 * top-level {@code prompt_logprobs} list, first entry {@code null}, each other entry a map from the
 * token id to {@code {logprob, rank, decoded_token}}, and {@code prompt_token_ids}).
 *
 * <p>Its tokenizer splits words with their leading space (as byte-level BPE does), a token's id is
 * derived from its text, and a token's log-probability is {@link #logprobOf} of its text (by
 * default {@code -1 - (id mod 7)}). The prompt is a Qwen2-VL-like chat: template tokens, 4 image
 * pads when the user turn has an image, the user's text, template tokens, then the assistant's
 * content. Modes imitate other servers: {@link #ignorePromptLogprobs} (an OpenAI-compatible server
 * that is not vLLM), {@link #shiftTail} (a chat template that merges the caption's first token),
 * {@link #alternatives} (entries that also hold the top k alternatives), {@link #failWith}.
 */
public final class FakeVllmServer implements Closeable {
  private static final Pattern TOKEN =
      Pattern.compile(" ?[\\p{L}\\p{N}]+| ?[^\\s\\p{L}\\p{N}]|\\s+");
  private static final long IM_START = 1;
  private static final long IM_END = 2;
  private static final long IMAGE_PAD = 12;
  private static final int IMAGE_TOKENS = 4;

  private final MockWebServer server = new MockWebServer();

  /** Writes -Infinity bare, as Python's json module does. */
  private final ObjectMapper json =
      JsonMapper.builder().disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS).build();

  private final List<JsonNode> chatBodies = new CopyOnWriteArrayList<>();
  private final List<JsonNode> tokenizeBodies = new CopyOnWriteArrayList<>();
  private final List<String> paths = new CopyOnWriteArrayList<>();

  volatile ToDoubleFunction<String> logprobOf = text -> -1 - (id(text) % 7);
  volatile boolean ignorePromptLogprobs;
  volatile boolean shiftTail;
  volatile int alternatives;
  volatile int failWith;

  private FakeVllmServer() {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            try {
              return answer(request);
            } catch (IOException | RuntimeException e) {
              return json(500, "{\"object\":\"error\",\"message\":\"fake bug: " + e + "\"}");
            }
          }
        });
  }

  public static FakeVllmServer start() throws IOException {
    FakeVllmServer fake = new FakeVllmServer();
    fake.server.start(InetAddress.getByName("127.0.0.1"), 0);
    return fake;
  }

  /** The OpenAI-compatible base URL, {@code http://127.0.0.1:PORT/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getPort() + "/v1";
  }

  List<JsonNode> chatBodies() {
    return chatBodies;
  }

  List<JsonNode> tokenizeBodies() {
    return tokenizeBodies;
  }

  List<String> paths() {
    return paths;
  }

  /** The fake tokenizer: pieces of text, each a word with its leading space or one symbol. */
  static List<String> pieces(String text) {
    List<String> pieces = new ArrayList<>();
    Matcher matcher = TOKEN.matcher(text);
    while (matcher.find()) {
      pieces.add(matcher.group());
    }
    return pieces;
  }

  static long id(String piece) {
    return 100 + Math.floorMod(piece.hashCode(), 2000);
  }

  private MockResponse answer(RecordedRequest request) throws IOException {
    String path = request.getUrl().encodedPath();
    paths.add(path);
    if (failWith != 0) {
      return json(
          failWith,
          "{\"object\":\"error\",\"message\":\"scripted failure\",\"type\":\"BadRequestError\","
              + "\"param\":null,\"code\":"
              + failWith
              + "}");
    }
    JsonNode body = json.readTree(request.getBody() == null ? "" : request.getBody().utf8());
    return switch (path) {
      case "/tokenize" -> {
        tokenizeBodies.add(body);
        yield tokenize(body);
      }
      case "/v1/chat/completions" -> {
        chatBodies.add(body);
        yield chat(body);
      }
      default -> json(404, "{\"detail\":\"Not Found\"}");
    };
  }

  private MockResponse tokenize(JsonNode body) {
    ObjectNode root = json.createObjectNode();
    ArrayNode tokens = json.createArrayNode();
    for (String piece : pieces(body.path("prompt").asText())) {
      tokens.add(id(piece));
    }
    root.put("count", tokens.size());
    root.put("max_model_len", 2048);
    root.set("tokens", tokens);
    root.putNull("token_strs");
    return json(200, root.toString());
  }

  private MockResponse chat(JsonNode body) {
    List<Long> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (JsonNode message : body.path("messages")) {
      add(ids, texts, IM_START, "<|im_start|>");
      add(ids, texts, id(message.path("role").asText()), message.path("role").asText());
      add(ids, texts, 198, "\n");
      JsonNode content = message.path("content");
      String text;
      if (content.isArray()) {
        StringBuilder joined = new StringBuilder();
        for (JsonNode part : content) {
          if ("image_url".equals(part.path("type").asText())) {
            for (int i = 0; i < IMAGE_TOKENS; i++) {
              add(ids, texts, IMAGE_PAD, "<|image_pad|>");
            }
          } else {
            joined.append(part.path("text").asText());
          }
        }
        text = joined.toString();
      } else {
        text = content.asText();
      }
      for (String piece : pieces(text)) {
        add(ids, texts, id(piece), piece);
      }
      boolean continued =
          body.path("continue_final_message").asBoolean(false)
              && message == body.path("messages").get(body.path("messages").size() - 1);
      if (!continued) {
        add(ids, texts, IM_END, "<|im_end|>");
      }
    }
    if (shiftTail && ids.size() > 1) {
      // A template that merges the newline into the caption's first token.
      ids.set(ids.size() - 1, ids.get(ids.size() - 1) + 1);
    }
    ObjectNode root = json.createObjectNode();
    root.put("id", "chatcmpl-fake");
    root.put("object", "chat.completion");
    root.put("created", 1_767_225_600L);
    root.put("model", body.path("model").asText());
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", " 922");
    choice.putNull("logprobs");
    choice.put("finish_reason", "length");
    if (!ignorePromptLogprobs && body.path("return_token_ids").asBoolean(false)) {
      choice.putArray("token_ids").add(1458);
    }
    ObjectNode usage = root.putObject("usage");
    usage.put("prompt_tokens", ids.size());
    usage.put("total_tokens", ids.size() + 1);
    usage.put("completion_tokens", 1);
    if (!ignorePromptLogprobs && body.has("prompt_logprobs")) {
      ArrayNode logprobs = root.putArray("prompt_logprobs");
      logprobs.addNull();
      for (int i = 1; i < ids.size(); i++) {
        ObjectNode entry = logprobs.addObject();
        put(entry, ids.get(i), texts.get(i), 900 + i);
        for (int k = 1; k <= alternatives; k++) {
          put(entry, 5000 + k, "alt" + k, k);
        }
      }
      if (body.path("return_token_ids").asBoolean(false)) {
        ArrayNode promptIds = root.putArray("prompt_token_ids");
        ids.forEach(promptIds::add);
      }
    }
    return json(200, root.toString());
  }

  private void put(ObjectNode entry, long id, String text, int rank) {
    ObjectNode logprob = entry.putObject(Long.toString(id));
    logprob.put("logprob", logprobOf.applyAsDouble(text));
    logprob.put("rank", rank);
    logprob.put("decoded_token", text);
  }

  private static void add(List<Long> ids, List<String> texts, long id, String text) {
    ids.add(id);
    texts.add(text);
  }

  private static MockResponse json(int status, String body) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/json")
        .body(body)
        .build();
  }

  @Override
  public void close() {
    server.close();
  }
}
