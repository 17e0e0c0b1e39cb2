package dev.loupe.export;

import dev.loupe.export.TrainingFormats.Conversation;
import dev.loupe.export.TrainingFormats.Turn;
import dev.loupe.record.ItemRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One training sample of a shard: one conversation of an accepted record, as {@code sharegpt.jsonl}
 * holds it ({@link TrainingFormats}), and which subset it belongs to.
 *
 * @param id the sample id ({@code <sha256>-caption}, {@code <sha256>-qa}, {@code <sha256>-qa-0}…)
 * @param kind the subset: caption-only or QA
 * @param record the accepted record it comes from
 * @param messages the ShareGPT / LLaMA-Factory messages, equal to the line in {@code
 *     sharegpt.jsonl}
 * @param imagePath the image as {@code sharegpt.jsonl} names it
 */
record ShardSample(
    String id, Kind kind, ItemRecord record, List<Map<String, String>> messages, String imagePath) {

  /** The subsets, written to separate shards so each is a config of its own (ALLaVA's split). */
  enum Kind {
    CAPTION("caption"),
    QA("qa");

    private final String config;

    Kind(String config) {
      this.config = config;
    }

    /** The subset's name: the dataset card's config and the {@code kind} field of each sample. */
    String config() {
      return config;
    }
  }

  /** The samples of one kind that an accepted record yields, in {@code sharegpt.jsonl}'s order. */
  @SuppressWarnings("unchecked")
  static List<ShardSample> of(ItemRecord record, Conversation style, Kind kind) {
    String image = TrainingFormats.imagePath(record.image().uri());
    List<ShardSample> samples = new ArrayList<>();
    for (Map.Entry<String, List<Turn>> conversation :
        TrainingFormats.conversations(record, style).entrySet()) {
      if (kindOf(conversation.getKey()) == kind) {
        Map<String, Object> sharegpt = TrainingFormats.sharegpt(image, conversation.getValue());
        samples.add(
            new ShardSample(
                conversation.getKey(),
                kind,
                record,
                (List<Map<String, String>>) sharegpt.get("messages"),
                image));
      }
    }
    return samples;
  }

  static Kind kindOf(String sampleId) {
    return sampleId.endsWith("-caption") ? Kind.CAPTION : Kind.QA;
  }
}
