package dev.loupe.image;

/** An image that cannot be used, with a reason a person can act on. */
public final class BadImageException extends Exception {
  private final String reason;

  /**
   * @param reason a short machine-readable reason: {@code empty}, {@code not_an_image}, {@code
   *     corrupt}, {@code truncated}, {@code too_small}, {@code too_many_pixels}, {@code
   *     unsupported_format}
   * @param message what was wrong, for people
   */
  public BadImageException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
