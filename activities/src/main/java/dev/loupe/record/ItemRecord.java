package dev.loupe.record;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.QaPair;
import dev.loupe.contract.Usage;
import java.util.List;
import java.util.Locale;

/**
 * One image's record as persisted under the output ({@code items/}) and exported as a line of
 * {@code samples.jsonl} (DESIGN §3). Field names are snake_case on disk.
 *
 * @param id the image's SHA-256
 * @param status {@code accepted}, {@code rejected} or {@code failed}
 * @param reason the check or failure type, for rejected and failed images
 * @param detail readable detail of the reason
 * @param attempts attempts of the failing activity, for failed images
 * @param image where the image is and what it is
 * @param ocr OCR text, when the recipe ran OCR
 * @param caption the caption and the model that wrote it
 * @param qa QA pairs with every check's verdict
 * @param usage tokens and cost of every call for this image
 * @param provenance which dataset, run, recipe and calls produced it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemRecord(
    String id,
    String status,
    String reason,
    String detail,
    Integer attempts,
    Image image,
    String ocr,
    Caption caption,
    List<QaPair> qa,
    UsageRecord usage,
    Provenance provenance) {

  /** Where the image is and its probed properties (null ones were not learned). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Image(String uri, Integer width, Integer height, String format, Long sizeBytes) {}

  /**
   * A caption, its model, and the verdicts of the caption checks.
   *
   * @param text the caption
   * @param model the model that wrote it (the fusing model after CapFusion)
   * @param checks caption check name to verdict, when the recipe has caption checks
   * @param task the short-form task it was written for ({@code brief_caption}), or null for a
   *     detailed caption
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Caption(
      String text,
      String model,
      java.util.Map<String, dev.loupe.contract.Check> checks,
      String task) {

    /** A detailed caption. */
    public Caption(
        String text, String model, java.util.Map<String, dev.loupe.contract.Check> checks) {
      this(text, model, checks, null);
    }

    /** This caption with other check verdicts. */
    public Caption withChecks(java.util.Map<String, dev.loupe.contract.Check> checks) {
      return new Caption(text, model, checks, task);
    }
  }

  /**
   * Provider-reported tokens, summed, and their cost; the cache fields only when not zero.
   *
   * @param cachedInputTokens input tokens read from the provider's prompt cache
   * @param cachedCalls calls answered from Loupe's response cache, which cost nothing
   * @param savedUsd what caches and cheaper lanes saved against the online price
   */
  public record UsageRecord(
      long inputTokens,
      long outputTokens,
      double costUsd,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long cachedInputTokens,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) long cachedCalls,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) double savedUsd) {
    /** Paid usage without caches. */
    public UsageRecord(long inputTokens, long outputTokens, double costUsd) {
      this(inputTokens, outputTokens, costUsd, 0, 0, 0);
    }

    public static UsageRecord of(Usage usage) {
      return new UsageRecord(
          usage.inputTokens(),
          usage.outputTokens(),
          usage.costUsd(),
          usage.cachedInputTokens(),
          usage.cachedCalls(),
          usage.savedUsd());
    }

    public Usage toUsage() {
      return new Usage(
          inputTokens, outputTokens, costUsd, cachedInputTokens, cachedCalls, savedUsd);
    }
  }

  /**
   * @param datasetId the dataset's workflow ID
   * @param runToken the run that persisted it
   * @param recipe the recipe name
   * @param sourceId the manifest's id, if any
   * @param altText the manifest's alt text, if any
   * @param lang the manifest's language, if any
   * @param calls every paid model call
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Provenance(
      String datasetId,
      String runToken,
      String recipe,
      String sourceId,
      String altText,
      String lang,
      List<ModelCall> calls) {}

  public ImageStatus imageStatus() {
    return ImageStatus.valueOf(status.toUpperCase(Locale.ROOT));
  }

  public List<QaPair> qaOrEmpty() {
    return qa == null ? List.of() : qa;
  }

  /** The outcome this record stands for. */
  public ImageResult toResult() {
    int qaAccepted = (int) qaOrEmpty().stream().filter(QaPair::accepted).count();
    return new ImageResult(
        id,
        image == null ? null : image.uri(),
        imageStatus(),
        reason,
        detail,
        imageStatus() == ImageStatus.ACCEPTED ? qaAccepted : 0,
        usage == null ? Usage.ZERO : usage.toUsage());
  }
}
