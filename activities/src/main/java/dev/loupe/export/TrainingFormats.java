package dev.loupe.export;

import dev.loupe.contract.QaPair;
import dev.loupe.record.ItemRecord;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accepted records as training samples: LLaVA conversations ({@code llava.json}) and ShareGPT /
 * LLaMA-Factory messages ({@code sharegpt.jsonl}). A caption becomes its own detailed-description
 * sample (ShareGPT4V, ALLaVA-Caption), asked in one of {@link CaptionInstructions}' wordings; the
 * accepted QA pairs of an image become one multi-turn conversation ({@code multi_turn}, the
 * default) or one sample each ({@code separate}), with {@code <image>} in the first human turn of
 * every sample.
 */
final class TrainingFormats {
  private static final String IMAGE_TOKEN = "<image>";

  private TrainingFormats() {}

  /** One exchange of a conversation. */
  record Turn(String human, String model) {}

  /** How the QA pairs of one image become samples. */
  enum Conversation {
    /** All accepted pairs of an image in one conversation: sample id {@code <sha>-qa}. */
    MULTI_TURN,
    /** One sample per accepted pair: sample ids {@code <sha>-qa-0}, {@code <sha>-qa-1}, … */
    SEPARATE;

    /** From the request's {@code conversation} field; multi-turn when absent. */
    static Conversation of(String name) {
      return name == null || name.isBlank()
          ? MULTI_TURN
          : valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
  }

  /** The conversations one accepted record yields, each with its sample id. */
  static Map<String, List<Turn>> conversations(ItemRecord record, Conversation style) {
    Map<String, List<Turn>> samples = new LinkedHashMap<>();
    if (record.caption() != null && record.caption().text() != null) {
      samples.put(
          record.id() + "-caption",
          List.of(
              new Turn(
                  CaptionInstructions.forImage(record.id(), record.caption().text()),
                  record.caption().text())));
    }
    List<Turn> qa = new ArrayList<>();
    for (QaPair pair : record.qaOrEmpty()) {
      if (pair.accepted()) {
        qa.add(new Turn(pair.question(), pair.answer()));
      }
    }
    if (style == Conversation.SEPARATE) {
      for (int i = 0; i < qa.size(); i++) {
        samples.put(record.id() + "-qa-" + i, List.of(qa.get(i)));
      }
    } else if (!qa.isEmpty()) {
      samples.put(record.id() + "-qa", qa);
    }
    return samples;
  }

  static Map<String, Object> llava(String id, String image, List<Turn> turns) {
    List<Map<String, String>> conversation = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      String human = i == 0 ? IMAGE_TOKEN + "\n" + turns.get(i).human() : turns.get(i).human();
      conversation.add(Map.of("from", "human", "value", human));
      conversation.add(Map.of("from", "gpt", "value", turns.get(i).model()));
    }
    Map<String, Object> sample = new LinkedHashMap<>();
    sample.put("id", id);
    sample.put("image", image);
    sample.put("conversations", conversation);
    return sample;
  }

  static Map<String, Object> sharegpt(String image, List<Turn> turns) {
    List<Map<String, String>> messages = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      String user = i == 0 ? IMAGE_TOKEN + turns.get(i).human() : turns.get(i).human();
      messages.add(Map.of("role", "user", "content", user));
      messages.add(Map.of("role", "assistant", "content", turns.get(i).model()));
    }
    Map<String, Object> sample = new LinkedHashMap<>();
    sample.put("messages", messages);
    sample.put("images", List.of(image));
    return sample;
  }

  /** A local image as a filesystem path (what trainers open); other images as their URI. */
  static String imagePath(String uri) {
    URI parsed = URI.create(uri);
    return "file".equals(parsed.getScheme()) ? Path.of(parsed).toString() : uri;
  }
}
