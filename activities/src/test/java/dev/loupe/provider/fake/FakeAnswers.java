package dev.loupe.provider.fake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deterministic output of the fake model servers, marked {@code [fake]}: structured output
 * named {@code questions} gets {@code {"questions":[{"question":...,"type":"reasoning"}]}} with as
 * many questions as the prompt asks for ("3 questions", default 1); {@code verdict} gets {@code
 * {"meaningful":true,"correct":true,"detail":...}}; other names can be taught with {@link
 * #answerSchema}; free text is about 300 characters derived from a hash of the request, so
 * different images get different text. Thread-safe.
 */
public final class FakeAnswers {
  private static final int MAX_QUESTIONS = 20;
  private static final Pattern QUESTION_COUNT =
      Pattern.compile("(?i)\\b(\\d{1,3})\\s+(?:[\\w-]+\\s+){0,2}questions?\\b");
  private static final String[] COLOURS = {
    "red", "blue", "green", "yellow", "grey", "white", "black", "orange", "brown", "purple"
  };
  private static final String[] THINGS = {
    "bicycle",
    "teapot",
    "street sign",
    "dog",
    "umbrella",
    "window",
    "boat",
    "lamp",
    "tree",
    "train",
    "chair",
    "kite",
    "bridge",
    "clock",
    "market stall",
    "mountain"
  };
  private static final String[] PLACES = {
    "next to", "behind", "in front of", "under", "above", "beside", "far from", "near"
  };

  private final String serverName;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, Function<FakeRequest, String>> structured = new ConcurrentHashMap<>();
  private volatile boolean meaningful = true;
  private volatile boolean correct = true;
  private volatile int questionCount;

  /**
   * @param serverName named in free text, e.g. {@code FakeGeminiServer}
   */
  public FakeAnswers(String serverName) {
    this.serverName = serverName;
    structured.put("questions", this::questions);
    structured.put("verdict", this::verdict);
    structured.put("caption_qa", this::captionQa);
    structured.put("agreement", this::agreement);
    structured.put("grammar", this::grammar);
  }

  /** Free text, or the structured answer of the request's schema; empty for an unknown schema. */
  public Optional<String> content(FakeRequest seen) {
    if (!seen.structured()) {
      return Optional.of(freeText(seen));
    }
    return Optional.ofNullable(structured.get(seen.schemaName())).map(a -> a.apply(seen));
  }

  /** The schema names this instance can answer. */
  public Set<String> knownSchemas() {
    return Set.copyOf(structured.keySet());
  }

  /** What {@code verdict} calls answer from now on (initially both true). */
  public void setVerdict(boolean meaningful, boolean correct) {
    this.meaningful = meaningful;
    this.correct = correct;
  }

  /** How many questions {@code questions} calls get; 0 (initially) reads it from the prompt. */
  public void setQuestionCount(int count) {
    if (count < 0 || count > MAX_QUESTIONS) {
      throw new IllegalArgumentException("question count must be 0.." + MAX_QUESTIONS);
    }
    this.questionCount = count;
  }

  /** Teaches or replaces the JSON content answered for a schema name. */
  public void answerSchema(String name, Function<FakeRequest, String> answer) {
    structured.put(name, answer);
  }

  /** How many questions a prompt asks for ("3 questions"), 1 when it does not say. */
  public static int questionsAskedFor(String text) {
    Matcher matcher = QUESTION_COUNT.matcher(text == null ? "" : text);
    if (!matcher.find()) {
      return 1;
    }
    return Math.max(1, Math.min(MAX_QUESTIONS, Integer.parseInt(matcher.group(1))));
  }

  /** SHA-256 of the text as lower-case hex. */
  public static String sha256(String text) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private String freeText(FakeRequest seen) {
    Words words = new Words(seen);
    StringBuilder text =
        new StringBuilder("[fake] Fake output from ")
            .append(serverName)
            .append(" (")
            .append(words.tag())
            .append("), not a real model.");
    while (text.length() < 300) {
      text.append(" A ")
          .append(words.next(COLOURS))
          .append(' ')
          .append(words.next(THINGS))
          .append(" stands ")
          .append(words.next(PLACES))
          .append(" a ")
          .append(words.next(COLOURS))
          .append(' ')
          .append(words.next(THINGS))
          .append('.');
    }
    return text.toString();
  }

  private String questions(FakeRequest seen) {
    Words words = new Words(seen);
    int count = questionCount > 0 ? questionCount : questionsAskedFor(seen.text());
    ObjectNode root = json.createObjectNode();
    ArrayNode list = root.putArray("questions");
    for (int i = 1; i <= count; i++) {
      list.addObject()
          .put(
              "question",
              "[fake] Question "
                  + i
                  + " ("
                  + words.tag()
                  + "): why is the "
                  + words.next(COLOURS)
                  + " "
                  + words.next(THINGS)
                  + " "
                  + words.next(PLACES)
                  + " the "
                  + words.next(THINGS)
                  + "?")
          .put("type", "reasoning");
    }
    return root.toString();
  }

  private String verdict(FakeRequest seen) {
    return json.createObjectNode()
        .put("meaningful", meaningful)
        .put("correct", correct)
        .put("detail", "[fake] verdict (" + new Words(seen).tag() + ")")
        .toString();
  }

  /** ALLaVA's single call: a caption, a question and its answer. */
  private String captionQa(FakeRequest seen) {
    Words words = new Words(seen);
    return json.createObjectNode()
        .put("caption", freeText(seen))
        .put(
            "question",
            "[fake] Question (" + words.tag() + "): where is the " + words.next(THINGS) + "?")
        .put("question_type", "spatial")
        .put(
            "answer",
            "[fake] Answer (" + words.tag() + "): next to the " + words.next(THINGS) + ".")
        .toString();
  }

  /**
   * Answers agree, except when the second was written without the image: a fake model cannot answer
   * about an image it did not see, so such questions pass the answerable-without-image check.
   */
  private String agreement(FakeRequest seen) {
    String text = seen.text() == null ? "" : seen.text();
    boolean blind = text.contains("without seeing the image") || text.contains("没有看到图片");
    return json.createObjectNode()
        .put("agree", !blind)
        .put("detail", blind ? "[fake] the blind answer guesses" : "[fake] same substance")
        .toString();
  }

  private String grammar(FakeRequest seen) {
    return json.createObjectNode()
        .put("grammatical", true)
        .put("errors", "[fake] none found")
        .toString();
  }

  /** Deterministic word choices drawn from a hash of the request. */
  private static final class Words {
    private final String seed;
    private byte[] bytes;
    private int position;
    private int round;

    Words(FakeRequest seen) {
      this.seed =
          seen.model() + "\n" + seen.system() + "\n" + seen.text() + "\n" + seen.imageDigest();
      this.bytes = HexFormat.of().parseHex(sha256(seed));
    }

    String tag() {
      return HexFormat.of().formatHex(HexFormat.of().parseHex(sha256(seed)), 0, 4);
    }

    String next(String[] choices) {
      if (position == bytes.length) {
        round++;
        bytes = HexFormat.of().parseHex(sha256(seed + "#" + round));
        position = 0;
      }
      return choices[Byte.toUnsignedInt(bytes[position++]) % choices.length];
    }
  }
}
