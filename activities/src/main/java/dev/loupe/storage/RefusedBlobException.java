package dev.loupe.storage;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * A location this worker will not read or write: outside its allowed roots, not a regular file, or
 * larger than the byte limit. Retrying cannot help; the message names the location and the rule.
 */
public final class RefusedBlobException extends Exception {
  /** The location lies outside the worker's input or output roots. */
  public static final String OUTSIDE_ROOTS = "outside_roots";

  /** The location is a device, pipe, socket or directory, not a regular file. */
  public static final String NOT_A_FILE = "not_a_file";

  /** The blob is larger than the worker reads. */
  public static final String TOO_LARGE = "too_large";

  private final String reason;

  private RefusedBlobException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public static RefusedBlobException outsideRoots(
      String field, URI location, String kind, List<String> roots) {
    return new RefusedBlobException(
        OUTSIDE_ROOTS,
        field
            + " "
            + location
            + " is outside the "
            + kind
            + " roots "
            + roots
            + " (worker config "
            + kind
            + "Roots; symbolic links are resolved before the check)");
  }

  public static RefusedBlobException notAFile(URI location) {
    return new RefusedBlobException(
        NOT_A_FILE,
        location
            + " is not a regular file (a device, pipe, socket or directory): only regular"
            + " files are read");
  }

  public static RefusedBlobException tooLarge(URI location, long sizeBytes, long maxBytes) {
    return new RefusedBlobException(
        TOO_LARGE,
        String.format(
            Locale.ROOT,
            "%s is %,d bytes; the limit is %,d bytes (worker config limits.maxImageBytes)",
            location,
            sizeBytes,
            maxBytes));
  }

  /** {@value #OUTSIDE_ROOTS}, {@value #NOT_A_FILE} or {@value #TOO_LARGE}. */
  public String reason() {
    return reason;
  }
}
