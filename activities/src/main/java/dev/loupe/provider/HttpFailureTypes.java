package dev.loupe.provider;

import dev.loupe.contract.FailureType;

/**
 * What an HTTP error status means before a provider's error body refines it. The providers agree on
 * these (PROVIDERS.md §6): 408, 409, 5xx and 529 are the server's trouble and retry; 429 is a rate
 * limit unless the body says quota or spend cap; other 4xx fail at once.
 */
public final class HttpFailureTypes {
  private HttpFailureTypes() {}

  public static FailureType forStatus(int status) {
    return switch (status) {
      case 400, 413, 422 -> FailureType.BAD_REQUEST;
      case 401, 403 -> FailureType.AUTHENTICATION;
      case 402 -> FailureType.QUOTA_EXHAUSTED;
      case 404 -> FailureType.NOT_FOUND;
      case 408, 409 -> FailureType.SERVER_ERROR;
      case 429 -> FailureType.RATE_LIMITED;
      default -> status >= 400 && status < 500 ? FailureType.BAD_REQUEST : FailureType.SERVER_ERROR;
    };
  }
}
