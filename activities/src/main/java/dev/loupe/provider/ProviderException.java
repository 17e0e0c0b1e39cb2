package dev.loupe.provider;

import dev.loupe.contract.FailureType;
import java.time.Duration;
import java.util.Optional;

/**
 * A failed model call, already classified. Clients build it from the transport error, the HTTP
 * status and body, or the malformed output; activities turn it into an {@code ApplicationFailure}
 * of the same {@link FailureType}, carrying {@link #retryAfter()} as the next retry delay.
 */
public final class ProviderException extends Exception {
  private final FailureType type;
  private final int httpStatus;
  private final Duration retryAfter;

  public ProviderException(
      FailureType type, int httpStatus, Duration retryAfter, String message, Throwable cause) {
    super(message, cause);
    this.type = type;
    this.httpStatus = httpStatus;
    this.retryAfter = retryAfter;
  }

  public ProviderException(FailureType type, String message) {
    this(type, 0, null, message, null);
  }

  public FailureType type() {
    return type;
  }

  /** The HTTP status, or 0 when no response came. */
  public int httpStatus() {
    return httpStatus;
  }

  /** The provider's retry hint (Retry-After, retry-after-ms, RetryInfo), when it gave one. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
