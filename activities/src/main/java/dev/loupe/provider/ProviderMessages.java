package dev.loupe.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * What may go into a failure message built from a provider's answer: a short, single-line excerpt
 * with API keys removed, and parse positions instead of parser messages (those quote the model's
 * output). Failure messages end up in workflow history and {@code failed.jsonl}.
 */
public final class ProviderMessages {
  /** Longest excerpt of a provider's error text that a message keeps. */
  public static final int MAX_EXCERPT_CHARS = 500;

  /** OpenAI ({@code sk-…}, {@code sk-proj-…}) and Anthropic ({@code sk-ant-…}) keys. */
  private static final Pattern SK_KEY = Pattern.compile("sk-[A-Za-z0-9_*\\-]{4,}");

  /** Google API keys. */
  private static final Pattern GOOGLE_KEY = Pattern.compile("AIza[A-Za-z0-9_\\-]{8,}");

  private ProviderMessages() {}

  /** {@code text} on one line, cut to {@code maxChars} with an ellipsis. */
  public static String excerpt(String text, int maxChars) {
    String flat = text.strip().replaceAll("\\s+", " ");
    return flat.length() <= maxChars ? flat : flat.substring(0, maxChars) + "…";
  }

  /** {@link #excerpt} to {@link #MAX_EXCERPT_CHARS}, with anything shaped like a key removed. */
  public static String safeExcerpt(String text) {
    return redactKeys(excerpt(text, MAX_EXCERPT_CHARS));
  }

  /** Removes what looks like an OpenAI, Anthropic or Google key: error texts quote them. */
  public static String redactKeys(String text) {
    String withoutSk = SK_KEY.matcher(text).replaceAll("sk-***");
    return GOOGLE_KEY.matcher(withoutSk).replaceAll("AIza***");
  }

  /** Removes the key itself, whatever its shape, should a server echo it. */
  public static String withoutSecret(String text, Secret key) {
    return key == null ? text : text.replace(key.value(), "***");
  }

  /** Where parsing failed, without the parser's message, which quotes the input. */
  public static String where(IOException e) {
    if (e instanceof JsonProcessingException json && json.getLocation() != null) {
      return e.getClass().getSimpleName()
          + " at line "
          + json.getLocation().getLineNr()
          + " column "
          + json.getLocation().getColumnNr();
    }
    return e.getClass().getSimpleName();
  }

  /** {@code " [x-request-id req_1]"}, or empty without an id. */
  public static String requestIdSuffix(String header, String requestId) {
    return requestId == null ? "" : " [" + header + " " + requestId + "]";
  }
}
