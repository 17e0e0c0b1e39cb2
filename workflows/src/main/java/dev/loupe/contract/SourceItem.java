package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One image of a source, by reference. Bytes never travel in workflow history.
 *
 * @param uri where the image is ({@code file://} or {@code s3://})
 * @param sha256 hex SHA-256 of its bytes; the image's identity
 * @param sizeBytes its size
 * @param altText original alt text from a manifest, if any
 * @param id the manifest's own id, if any
 * @param lang language from the manifest ({@code en}, {@code zh}), if any
 * @param refused why the listing already knows this item cannot be used (a manifest line too long,
 *     a field over its limit, a location outside the worker's roots, a file too large); the probe
 *     rejects such an item with this reason without reading anything. Null for a usable item.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceItem(
    String uri,
    String sha256,
    long sizeBytes,
    String altText,
    String id,
    String lang,
    Refusal refused) {

  /** An item as a manifest line describes it, usable as far as the listing knows. */
  public SourceItem(
      String uri, String sha256, long sizeBytes, String altText, String id, String lang) {
    this(uri, sha256, sizeBytes, altText, id, lang, null);
  }

  public static SourceItem of(String uri, String sha256, long sizeBytes) {
    return new SourceItem(uri, sha256, sizeBytes, null, null, null, null);
  }

  /** An item the listing refused: it ends rejected with {@code reason} and {@code detail}. */
  public static SourceItem refused(String uri, String sha256, String reason, String detail) {
    return new SourceItem(uri, sha256, -1, null, null, null, new Refusal(reason, detail));
  }

  /**
   * Why an item cannot be used.
   *
   * @param reason short and machine-readable: {@code line_too_long}, {@code field_too_long}, {@code
   *     outside_roots}, {@code not_a_file}, {@code too_large}
   * @param detail what was wrong and which rule it broke, for people
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Refusal(String reason, String detail) {}
}
