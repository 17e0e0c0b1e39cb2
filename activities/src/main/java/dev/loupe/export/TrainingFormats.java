package dev.loupe.export;

import dev.loupe.contract.QaPair;
import dev.loupe.contract.ShortTask;
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

  /**
   * One training sample: its exchanges and, for InstructBLIP's short-form data, its task ({@code
   * brief_caption}, {@code short_answer}, {@code multiple_choice}); null for long-form samples.
   */
  record Sample(List<Turn> turns, String task) {}

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
    Map<String, List<Turn>> conversations = new LinkedHashMap<>();
    samples(record, style).forEach((id, sample) -> conversations.put(id, sample.turns()));
    return conversations;
  }

  /**
   * The samples one accepted record yields, each with its sample id and task. A brief caption is
   * asked with a brief-caption instruction; short-form pairs are framed by their task's wordings
   * and kept apart from long-form ones: in {@code multi_turn} the long-form pairs are {@code
   * <sha>-qa} as before and each short-form task's pairs {@code <sha>-<task>}.
   */
  static Map<String, Sample> samples(ItemRecord record, Conversation style) {
    Map<String, Sample> samples = new LinkedHashMap<>();
    if (record.caption() != null && record.caption().text() != null) {
      String text = record.caption().text();
      boolean brief = ShortTask.BRIEF_CAPTION.equals(record.caption().task());
      samples.put(
          record.id() + "-caption",
          new Sample(
              List.of(
                  new Turn(
                      brief
                          ? TaskInstructions.briefCaption(record.id(), text)
                          : CaptionInstructions.forImage(record.id(), text),
                      text)),
              brief ? ShortTask.BRIEF_CAPTION : null));
    }
    Map<String, List<Turn>> byTask = new LinkedHashMap<>();
    List<String> taskOfPair = new ArrayList<>();
    List<Turn> pairs = new ArrayList<>();
    for (QaPair pair : record.qaOrEmpty()) {
      if (pair.accepted()) {
        // Set.of rejects contains(null): pairs of older records have no type.
        String task =
            pair.type() != null && ShortTask.QUESTION_TASKS.contains(pair.type())
                ? pair.type()
                : null;
        String human =
            task == null
                ? pair.question()
                : TaskInstructions.question(task, record.id(), pairs.size(), pair.question());
        Turn turn = new Turn(human, pair.answer());
        pairs.add(turn);
        taskOfPair.add(task);
        byTask.computeIfAbsent(task == null ? "" : task, key -> new ArrayList<>()).add(turn);
      }
    }
    if (style == Conversation.SEPARATE) {
      for (int i = 0; i < pairs.size(); i++) {
        samples.put(record.id() + "-qa-" + i, new Sample(List.of(pairs.get(i)), taskOfPair.get(i)));
      }
    } else {
      byTask.forEach(
          (task, turns) ->
              samples.put(
                  record.id() + (task.isEmpty() ? "-qa" : "-" + task),
                  new Sample(turns, task.isEmpty() ? null : task)));
    }
    return samples;
  }

  static Map<String, Object> llava(String id, String image, List<Turn> turns) {
    return llava(id, image, turns, null);
  }

  /**
   * A LLaVA sample; {@code task} (when not null) is written as its {@code task} field, which
   * LLaVA's loaders ignore and {@code loupe mix} reads.
   */
  static Map<String, Object> llava(String id, String image, List<Turn> turns, String task) {
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
    if (task != null) {
      sample.put("task", task);
    }
    return sample;
  }

  static Map<String, Object> sharegpt(String image, List<Turn> turns) {
    return sharegpt(image, turns, null);
  }

  /**
   * A ShareGPT sample; {@code task} (when not null) is an extra column {@code task}, which
   * LLaMA-Factory ignores unless its {@code dataset_info} names it.
   */
  static Map<String, Object> sharegpt(String image, List<Turn> turns, String task) {
    List<Map<String, String>> messages = new ArrayList<>();
    for (int i = 0; i < turns.size(); i++) {
      String user = i == 0 ? IMAGE_TOKEN + turns.get(i).human() : turns.get(i).human();
      messages.add(Map.of("role", "user", "content", user));
      messages.add(Map.of("role", "assistant", "content", turns.get(i).model()));
    }
    Map<String, Object> sample = new LinkedHashMap<>();
    sample.put("messages", messages);
    sample.put("images", List.of(image));
    if (task != null) {
      sample.put("task", task);
    }
    return sample;
  }

  /** A local image as a filesystem path (what trainers open); other images as their URI. */
  static String imagePath(String uri) {
    URI parsed = URI.create(uri);
    return "file".equals(parsed.getScheme()) ? Path.of(parsed).toString() : uri;
  }
}
