package dev.loupe.recipe;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.image.ContentHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Loads recipes from {@code recipes/<name>.yaml}, rejecting unknown keys. */
public final class RecipeLibrary {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final ConfigFiles files;

  public RecipeLibrary(ConfigFiles files) {
    this.files = files;
  }

  /** A loaded recipe and the SHA-256 of its file. */
  public record Loaded(Recipe recipe, String sha256) {}

  /**
   * The recipe of that name.
   *
   * @throws IllegalArgumentException naming the recipe and the problem when it is unknown or
   *     invalid
   */
  public Loaded load(String name) throws IOException {
    if (!name.matches("[a-z0-9][a-z0-9_-]*")) {
      throw new IllegalArgumentException(
          "recipe must be a name like 'allava' (letters, digits, '-', '_'), got '" + name + "'");
    }
    Optional<String> text = files.read("recipes/" + name + ".yaml");
    if (text.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown recipe '" + name + "': no recipes/" + name + ".yaml in " + files.describe());
    }
    try {
      Recipe recipe = YAML.readValue(text.get(), Recipe.class);
      if (!name.equals(recipe.name())) {
        throw new IllegalArgumentException(
            "recipes/" + name + ".yaml names itself '" + recipe.name() + "'");
      }
      return new Loaded(recipe, ContentHash.sha256Hex(text.get().getBytes(StandardCharsets.UTF_8)));
    } catch (UnrecognizedPropertyException unknown) {
      throw new IllegalArgumentException(
          "recipes/"
              + name
              + ".yaml: unknown key '"
              + unknown.getPropertyName()
              + "' at "
              + unknown.getPathReference(),
          unknown);
    } catch (com.fasterxml.jackson.core.JacksonException invalid) {
      Throwable cause =
          invalid.getCause() instanceof IllegalArgumentException ? invalid.getCause() : invalid;
      throw new IllegalArgumentException(
          "recipes/" + name + ".yaml is invalid: " + cause.getMessage(), invalid);
    }
  }
}
