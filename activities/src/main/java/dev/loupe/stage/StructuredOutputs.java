package dev.loupe.stage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.contract.FailureType;
import dev.loupe.contract.Question;
import dev.loupe.provider.ModelRequest.OutputSchema;
import dev.loupe.provider.ProviderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The JSON schemas of the structured stages and the validation of what models return for them.
 * Output that does not validate is {@link FailureType#MALFORMED_OUTPUT}: retried a few times, then
 * the item is rejected with that reason.
 */
public final class StructuredOutputs {
  /** Question kinds the ask stage may use. */
  public static final List<String> QUESTION_TYPES =
      List.of(
          "reasoning",
          "text_reading",
          "counting",
          "layout",
          "attribute",
          "spatial",
          "world_knowledge",
          "comparison");

  /** The most options of a multiple-choice question (A–F). */
  public static final int MAX_OPTIONS = 6;

  private final ObjectMapper json;
  private final OutputSchema questions;
  private final OutputSchema choiceQuestions;
  private final OutputSchema verdict;
  private final OutputSchema captionQa;
  private final OutputSchema agreement;
  private final OutputSchema grammar;

  public StructuredOutputs(ObjectMapper json) {
    this.json = json;
    this.questions = new OutputSchema("questions", buildQuestionsSchema());
    this.choiceQuestions = new OutputSchema("choice_questions", buildChoiceQuestionsSchema());
    this.verdict = new OutputSchema("verdict", buildVerdictSchema());
    this.captionQa =
        new OutputSchema(
            "caption_qa",
            strictObject(
                Map.of(
                    "caption", "string",
                    "question", "string",
                    "question_type", "string",
                    "answer", "string")));
    this.agreement =
        new OutputSchema("agreement", strictObject(Map.of("agree", "boolean", "detail", "string")));
    this.grammar =
        new OutputSchema(
            "grammar", strictObject(Map.of("grammatical", "boolean", "errors", "string")));
  }

  public OutputSchema captionQaSchema() {
    return captionQa;
  }

  public OutputSchema agreementSchema() {
    return agreement;
  }

  public OutputSchema grammarSchema() {
    return grammar;
  }

  /** ALLaVA's single call: caption, question and answer. */
  public record CaptionQa(String caption, Question question, String answer) {}

  public CaptionQa parseCaptionQa(String text) throws ProviderException {
    JsonNode root = parse(text, "caption_qa");
    String type =
        root.hasNonNull("question_type") ? root.get("question_type").asText() : "reasoning";
    return new CaptionQa(
        requiredText(root, "caption", "caption_qa"),
        new Question(requiredText(root, "question", "caption_qa"), type),
        requiredText(root, "answer", "caption_qa"));
  }

  /** Whether answers agree, and why. */
  public record Agreement(boolean agree, String detail) {}

  public Agreement parseAgreement(String text) throws ProviderException {
    JsonNode root = parse(text, "agreement");
    return new Agreement(
        requiredBoolean(root, "agree", "agreement"),
        root.hasNonNull("detail") ? root.get("detail").asText() : "");
  }

  /** Whether the text is grammatical, and the errors found. */
  public record Grammar(boolean grammatical, String errors) {}

  public Grammar parseGrammar(String text) throws ProviderException {
    JsonNode root = parse(text, "grammar");
    return new Grammar(
        requiredBoolean(root, "grammatical", "grammar"),
        root.hasNonNull("errors") ? root.get("errors").asText() : "");
  }

  public OutputSchema questionsSchema() {
    return questions;
  }

  /** Multiple-choice questions: each with its options (InstructBLIP's multiple-choice task). */
  public OutputSchema choiceQuestionsSchema() {
    return choiceQuestions;
  }

  public OutputSchema verdictSchema() {
    return verdict;
  }

  /** The questions, at most {@code max}; at least one. */
  public List<Question> parseQuestions(String text, int max) throws ProviderException {
    JsonNode root = parse(text, "questions");
    JsonNode items = root.get("questions");
    if (items == null || !items.isArray() || items.isEmpty()) {
      throw malformed("questions: expected a non-empty \"questions\" array");
    }
    List<Question> result = new ArrayList<>();
    for (JsonNode item : items) {
      String question = requiredText(item, "question", "questions");
      String type = item.hasNonNull("type") ? item.get("type").asText() : "reasoning";
      result.add(new Question(question, type, options(item)));
      if (result.size() == max) {
        break;
      }
    }
    return result;
  }

  /** A question's options, or null when it has none; 2 to 6 distinct non-blank texts. */
  private static List<String> options(JsonNode item) throws ProviderException {
    JsonNode options = item.get("options");
    if (options == null || options.isNull()) {
      return null;
    }
    if (!options.isArray() || options.size() < 2 || options.size() > MAX_OPTIONS) {
      throw malformed("questions: \"options\" must list 2 to " + MAX_OPTIONS + " texts");
    }
    List<String> texts = new ArrayList<>();
    for (JsonNode option : options) {
      if (!option.isTextual() || option.asText().isBlank()) {
        throw malformed("questions: an option is not a non-blank text");
      }
      String text = option.asText().strip();
      if (texts.stream().anyMatch(text::equalsIgnoreCase)) {
        throw malformed("questions: two options are the same: " + text);
      }
      texts.add(text);
    }
    return texts;
  }

  /** A verdict: meaningful, correct and a detail. */
  public Verdict parseVerdict(String text) throws ProviderException {
    JsonNode root = parse(text, "verdict");
    return new Verdict(
        requiredBoolean(root, "meaningful", "verdict"),
        requiredBoolean(root, "correct", "verdict"),
        root.hasNonNull("detail") ? root.get("detail").asText() : "");
  }

  /** A parsed self-evaluation verdict. */
  public record Verdict(boolean meaningful, boolean correct, String detail) {}

  private JsonNode parse(String text, String schema) throws ProviderException {
    try {
      JsonNode root = json.readTree(text);
      if (root == null || !root.isObject()) {
        throw malformed(schema + ": expected a JSON object");
      }
      return root;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw malformed(schema + ": output is not valid JSON (" + e.getOriginalMessage() + ")");
    }
  }

  private static String requiredText(JsonNode node, String field, String schema)
      throws ProviderException {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw malformed(schema + ": missing text field \"" + field + "\"");
    }
    return value.asText().strip();
  }

  private static boolean requiredBoolean(JsonNode node, String field, String schema)
      throws ProviderException {
    JsonNode value = node.get(field);
    if (value == null || !value.isBoolean()) {
      throw malformed(schema + ": missing boolean field \"" + field + "\"");
    }
    return value.asBoolean();
  }

  private static ProviderException malformed(String message) {
    return new ProviderException(FailureType.MALFORMED_OUTPUT, message);
  }

  /**
   * {@code {"questions": [{"question", "options": [string]}]}}; the option count is checked when
   * parsed ({@code minItems} is not among the keywords every provider accepts).
   */
  private ObjectNode buildChoiceQuestionsSchema() {
    ObjectNode item = object();
    ObjectNode properties = item.putObject("properties");
    properties.putObject("question").put("type", "string");
    ObjectNode options = properties.putObject("options");
    options.put("type", "array");
    options.putObject("items").put("type", "string");
    item.putArray("required").add("question").add("options");
    item.put("additionalProperties", false);

    ObjectNode root = object();
    ObjectNode list = root.putObject("properties").putObject("questions");
    list.put("type", "array");
    list.set("items", item);
    root.putArray("required").add("questions");
    root.put("additionalProperties", false);
    return root;
  }

  private ObjectNode buildQuestionsSchema() {
    ObjectNode item = object();
    ObjectNode properties = item.putObject("properties");
    properties.putObject("question").put("type", "string");
    ObjectNode type = properties.putObject("type");
    type.put("type", "string");
    ArrayNode kinds = type.putArray("enum");
    QUESTION_TYPES.forEach(kinds::add);
    item.putArray("required").add("question").add("type");
    item.put("additionalProperties", false);

    ObjectNode root = object();
    ObjectNode list = root.putObject("properties").putObject("questions");
    list.put("type", "array");
    list.set("items", item);
    root.putArray("required").add("questions");
    root.put("additionalProperties", false);
    return root;
  }

  private ObjectNode buildVerdictSchema() {
    ObjectNode root = object();
    ObjectNode properties = root.putObject("properties");
    properties.putObject("meaningful").put("type", "boolean");
    properties.putObject("correct").put("type", "boolean");
    properties.putObject("detail").put("type", "string");
    root.putArray("required").add("meaningful").add("correct").add("detail");
    root.put("additionalProperties", false);
    return root;
  }

  /** An object whose fields are all required and of the given JSON types, and nothing else. */
  private ObjectNode strictObject(Map<String, String> fields) {
    ObjectNode root = object();
    ObjectNode properties = root.putObject("properties");
    ArrayNode required = root.putArray("required");
    new java.util.TreeMap<>(fields)
        .forEach(
            (name, type) -> {
              properties.putObject(name).put("type", type);
              required.add(name);
            });
    root.put("additionalProperties", false);
    return root;
  }

  private ObjectNode object() {
    ObjectNode node = json.createObjectNode();
    node.put("type", "object");
    return node;
  }
}
