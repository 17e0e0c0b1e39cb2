package dev.loupe.prompt;

import dev.loupe.image.ContentHash;
import dev.loupe.recipe.ConfigFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prompt templates by id, read from {@code prompts/<id>.txt} once and cached. Sampling is
 * deterministic per image (InstructBLIP-style variety without losing reproducibility): the same
 * image and stage always get the same template.
 */
public final class PromptLibrary {
  private final ConfigFiles files;
  private final Map<String, PromptTemplate> cache = new ConcurrentHashMap<>();

  public PromptLibrary(ConfigFiles files) {
    this.files = files;
  }

  /**
   * The template with that id.
   *
   * @throws IllegalArgumentException when there is no such template
   */
  public PromptTemplate get(String id) {
    return cache.computeIfAbsent(id, this::load);
  }

  /** One of {@code ids}, chosen by the image's hash and the stage. */
  public PromptTemplate pick(List<String> ids, String imageSha256, String stage) {
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("stage " + stage + " has no templates");
    }
    int index = Math.floorMod((imageSha256 + "/" + stage).hashCode(), ids.size());
    return get(ids.get(index));
  }

  /**
   * One of the {@code ids} in the language ({@code -zh-} in the id for Chinese), chosen by the
   * image's hash and the stage; all of them when none is in that language.
   */
  public PromptTemplate pick(List<String> ids, String imageSha256, String stage, String lang) {
    List<String> inLanguage = ids.stream().filter(id -> id.contains("-" + lang + "-")).toList();
    return pick(inLanguage.isEmpty() ? ids : inLanguage, imageSha256, stage);
  }

  /**
   * A fixed template in the language, falling back to English: {@code named("checks/compare",
   * "zh")} is {@code checks/compare-zh-1} when it exists, else {@code checks/compare-en-1}.
   */
  public PromptTemplate named(String base, String lang) {
    String wanted = base + "-" + lang + "-1";
    try {
      return get(wanted);
    } catch (IllegalArgumentException missing) {
      return get(base + "-en-1");
    }
  }

  private PromptTemplate load(String id) {
    if (!id.matches("[a-z0-9_-]+(/[a-z0-9_-]+)*")) {
      throw new IllegalArgumentException(
          "template id must look like 'allava/describe-en-1': " + id);
    }
    try {
      String text =
          files
              .read("prompts/" + id + ".txt")
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "unknown prompt template '"
                              + id
                              + "': no prompts/"
                              + id
                              + ".txt in "
                              + files.describe()));
      return new PromptTemplate(
          id, text, ContentHash.sha256Hex(text.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException("reading prompt template " + id, e);
    }
  }
}
