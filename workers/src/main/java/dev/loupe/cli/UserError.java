package dev.loupe.cli;

/** A mistake the user can fix; printed as a message without a stack trace. */
final class UserError extends RuntimeException {
  UserError(String message) {
    super(message);
  }
}
