package dev.loupe.activity;

import java.time.Duration;

/**
 * The model server a captioner worker hosts (vLLM or SGLang on the same host), as its activities
 * see it: whether it answers now, and the model name to ask it for. The worker's supervisor keeps
 * it current; activities only read it.
 */
public interface HostedModel {

  /**
   * Waits up to {@code timeout} for the server to answer its health check.
   *
   * @return true when it answers, false when it still does not after {@code timeout}
   */
  boolean awaitReady(Duration timeout) throws InterruptedException;

  /** The served model's name; meaningful once {@link #awaitReady} returned true. */
  String name();

  /** Where the server is, for messages. */
  String url();
}
