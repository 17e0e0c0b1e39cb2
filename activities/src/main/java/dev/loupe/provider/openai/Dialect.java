package dev.loupe.provider.openai;

/** Which flavour of the Chat Completions API an endpoint speaks. */
public enum Dialect {
  /** OpenAI itself: {@code max_completion_tokens}, which reasoning models require. */
  OPENAI(true),
  /**
   * A self-hosted OpenAI-compatible server (vLLM, SGLang, Ollama): older releases know only the
   * deprecated {@code max_tokens}, which all of them accept.
   */
  OPENAI_COMPATIBLE(false);

  private final boolean maxCompletionTokens;

  Dialect(boolean maxCompletionTokens) {
    this.maxCompletionTokens = maxCompletionTokens;
  }

  /**
   * Whether the output cap goes in {@code max_completion_tokens} rather than {@code max_tokens}.
   */
  public boolean usesMaxCompletionTokens() {
    return maxCompletionTokens;
  }
}
