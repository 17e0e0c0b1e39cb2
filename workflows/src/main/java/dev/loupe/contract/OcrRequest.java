package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param image the probed image
 * @param languages Tesseract languages, e.g. {@code eng+chi_sim}
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OcrRequest(ImageInfo image, String languages) {}
