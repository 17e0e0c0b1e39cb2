package dev.loupe.prompt;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A prompt template: text with {@code {{name}}} placeholders. Values are inserted verbatim, inside
 * the quoting the template itself provides, so that captions and OCR text arrive as data.
 *
 * @param id the template's id ({@code allava/describe-en-1})
 * @param text the template text
 * @param sha256 the SHA-256 of the text, recorded in {@code run.json}
 */
public record PromptTemplate(String id, String text, String sha256) {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z_]+)}}");

  /**
   * Fills in the placeholders.
   *
   * @throws IllegalArgumentException naming the placeholder when a value is missing
   */
  public String render(Map<String, String> values) {
    Matcher matcher = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 256);
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            "template " + id + " needs a value for {{" + matcher.group(1) + "}}");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString().strip();
  }
}
