package dev.loupe.export;

import dev.loupe.contract.ExportResult;
import dev.loupe.contract.FailedImage;
import dev.loupe.contract.QaPair;
import dev.loupe.export.ReportPage.Example;
import dev.loupe.record.ItemRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the few records the report and the workflow's details show, as the export streams past all
 * of them: the first accepted images, rejected images and rejected QA pairs, and failures. Its
 * memory is bounded by {@link ExportLimits}, not by the number of records.
 */
final class ReportCollector {
  static final int FAILED_SHOWN = 20;
  private static final int MESSAGE_CHARS = 300;

  private final ExportLimits limits;
  private final List<ItemRecord> accepted = new ArrayList<>();
  private final List<ItemRecord> rejectedImages = new ArrayList<>();
  private final List<Example> rejectedPairs = new ArrayList<>();
  private final List<FailedImage> failed = new ArrayList<>();

  ReportCollector(ExportLimits limits) {
    this.limits = limits;
  }

  void add(ItemRecord record) {
    switch (record.imageStatus()) {
      case ACCEPTED -> {
        if (accepted.size() < limits.galleryImages()) {
          accepted.add(record);
        }
        for (QaPair pair : record.qaOrEmpty()) {
          if (!pair.accepted() && rejectedPairs.size() < limits.rejectedExamples()) {
            rejectedPairs.add(new Example(record, pair, null));
          }
        }
      }
      case REJECTED -> {
        // Duplicates say only "same bytes as …": rejected.jsonl lists them; the report does not.
        if (!"duplicate".equals(record.reason())
            && rejectedImages.size() < limits.rejectedExamples()) {
          rejectedImages.add(record);
        }
      }
      case FAILED -> {
        if (failed.size() < FAILED_SHOWN) {
          failed.add(
              new FailedImage(
                  record.id(),
                  record.image() == null ? null : record.image().uri(),
                  record.reason(),
                  cut(record.detail())));
        }
      }
    }
  }

  /** The first failures, for the workflow's details. */
  List<FailedImage> failedSample() {
    return List.copyOf(failed.subList(0, Math.min(failed.size(), ExportResult.FAILED_SAMPLE)));
  }

  List<FailedImage> failed() {
    return List.copyOf(failed);
  }

  List<Example> gallery(Thumbnails thumbnails) {
    List<Example> gallery = new ArrayList<>();
    for (ItemRecord record : accepted) {
      gallery.add(new Example(record, null, thumbnailOf(thumbnails, record)));
    }
    return gallery;
  }

  /** Rejected images and rejected pairs, alternating, up to the limit. */
  List<Example> rejected(Thumbnails thumbnails) {
    List<Example> examples = new ArrayList<>();
    int images = 0;
    int pairs = 0;
    while (examples.size() < limits.rejectedExamples()
        && (images < rejectedImages.size() || pairs < rejectedPairs.size())) {
      if (images < rejectedImages.size() && (pairs >= rejectedPairs.size() || images <= pairs)) {
        ItemRecord record = rejectedImages.get(images++);
        examples.add(new Example(record, null, thumbnailOf(thumbnails, record)));
      } else {
        Example pair = rejectedPairs.get(pairs++);
        examples.add(
            new Example(pair.record(), pair.pair(), thumbnailOf(thumbnails, pair.record())));
      }
    }
    return examples;
  }

  private static Thumbnails.Thumbnail thumbnailOf(Thumbnails thumbnails, ItemRecord record) {
    return record.image() == null ? null : thumbnails.of(record.image().uri()).orElse(null);
  }

  private static String cut(String text) {
    if (text == null || text.length() <= MESSAGE_CHARS) {
      return text;
    }
    return text.substring(0, MESSAGE_CHARS - 1) + "…";
  }
}
