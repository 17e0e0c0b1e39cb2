package dev.loupe.contract;

/**
 * Why an activity failed. Each activity converts its failures to an {@code ApplicationFailure}
 * whose type is {@link #name()}, once, at its boundary; the type decides whether Temporal retries
 * and how {@code ImageWorkflow} records the image when retries end.
 */
public enum FailureType {
  /** Connection refused, reset, timed out: the endpoint may come back. */
  TRANSPORT(true, Outcome.FAILED),
  /** 429 for requests or tokens per minute; waits for the provider's retry hint. */
  RATE_LIMITED(true, Outcome.FAILED),
  /** 408, 409, 5xx, 529: the provider's trouble, not ours. */
  SERVER_ERROR(true, Outcome.FAILED),
  /** A body that does not parse or does not match the requested schema; retried a few times. */
  MALFORMED_OUTPUT(true, Outcome.REJECTED),
  /** Storage could not be read or written (may be transient). */
  STORAGE(true, Outcome.FAILED),
  /** The OCR engine failed or is missing on this worker; another worker may have it. */
  OCR_FAILED(true, Outcome.FAILED),
  /** 400 and oversized requests: the same request will fail again. */
  BAD_REQUEST(false, Outcome.FAILED),
  /** 401 and 403: the key or its permissions are wrong. */
  AUTHENTICATION(false, Outcome.FAILED),
  /** 404: a model or path that does not exist. */
  NOT_FOUND(false, Outcome.FAILED),
  /** 429 for exhausted quota or a spend cap: waiting does not help. */
  QUOTA_EXHAUSTED(false, Outcome.FAILED),
  /** The model refused or a safety filter blocked the output. */
  REFUSED(false, Outcome.REJECTED),
  /** The image is corrupt, truncated, empty, not an image, too small or too large. */
  BAD_IMAGE(false, Outcome.REJECTED),
  /** The dataset request or recipe is invalid; names the field. */
  INVALID_REQUEST(false, Outcome.FAILED);

  /** How an image ends when this failure is final. */
  public enum Outcome {
    REJECTED,
    FAILED
  }

  private final boolean retryable;
  private final Outcome outcome;

  FailureType(boolean retryable, Outcome outcome) {
    this.retryable = retryable;
    this.outcome = outcome;
  }

  public boolean retryable() {
    return retryable;
  }

  public Outcome outcome() {
    return outcome;
  }

  /** The failure type named by an {@code ApplicationFailure} type string, if it is one of ours. */
  public static java.util.Optional<FailureType> fromName(String name) {
    for (FailureType type : values()) {
      if (type.name().equals(name)) {
        return java.util.Optional.of(type);
      }
    }
    return java.util.Optional.empty();
  }

  /** The reason string recorded for rejected images, e.g. {@code refused}. */
  public String reason() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
