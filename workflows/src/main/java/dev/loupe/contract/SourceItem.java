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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceItem(
    String uri, String sha256, long sizeBytes, String altText, String id, String lang) {

  public static SourceItem of(String uri, String sha256, long sizeBytes) {
    return new SourceItem(uri, sha256, sizeBytes, null, null, null);
  }
}
