package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * Everything known of one finished image, to be written as its record.
 *
 * @param output the dataset's output
 * @param datasetId the dataset's workflow ID
 * @param runToken the run's token (see {@link ImageTask#runToken()})
 * @param item the source item
 * @param image the probe's result; null when probing failed
 * @param caption the caption; null when none was made
 * @param qa QA pairs with their checks
 * @param calls every paid model call
 * @param status how it ended
 * @param reason check or failure type for rejected and failed images
 * @param detail readable detail of the reason
 * @param attempts attempts of the failing activity, for failed images
 * @param ocr the OCR text, when the recipe ran OCR
 * @param captionChecks verdicts of the caption checks ({@code caption_length}, …)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PersistRequest(
    String output,
    String datasetId,
    String runToken,
    SourceItem item,
    ImageInfo image,
    CaptionResult caption,
    List<QaPair> qa,
    List<ModelCall> calls,
    ImageStatus status,
    String reason,
    String detail,
    int attempts,
    String ocr,
    java.util.Map<String, Check> captionChecks) {

  /** A record without OCR text or caption checks. */
  public PersistRequest(
      String output,
      String datasetId,
      String runToken,
      SourceItem item,
      ImageInfo image,
      CaptionResult caption,
      List<QaPair> qa,
      List<ModelCall> calls,
      ImageStatus status,
      String reason,
      String detail,
      int attempts) {
    this(
        output, datasetId, runToken, item, image, caption, qa, calls, status, reason, detail,
        attempts, null, null);
  }
}
