package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The input of {@code DatasetWorkflow}: what a user pastes into the Temporal UI's Start Workflow
 * form. Only {@code source} and {@code output} are required; the workflow validates the rest and
 * fails at once, naming the field, when something is wrong.
 *
 * @param source an {@code s3://bucket/prefix/}, a {@code file:///dir/} or a JSONL manifest URI
 * @param output an {@code s3://} prefix or a {@code file://} directory for the outputs
 * @param recipe recipe name in {@code config/recipes/}; {@code allava} when absent
 * @param limit at most this many images; no limit when absent
 * @param window how many {@code ImageWorkflow} children run at once
 * @param budgetUsd stop starting new images once this much has been spent
 * @param carry internal: state carried over continue-as-new; users leave it out
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetRequest(
    String source,
    String output,
    String recipe,
    Integer limit,
    Integer window,
    Double budgetUsd,
    DatasetCarry carry) {

  public static final String DEFAULT_RECIPE = "allava";
  public static final int DEFAULT_WINDOW = 100;
  public static final int MAX_WINDOW = 2000;

  public static DatasetRequest of(String source, String output) {
    return new DatasetRequest(source, output, null, null, null, null, null);
  }

  public String recipeOrDefault() {
    return recipe == null || recipe.isBlank() ? DEFAULT_RECIPE : recipe;
  }

  public int windowOrDefault() {
    return window == null ? DEFAULT_WINDOW : window;
  }

  public DatasetRequest withRecipe(String name) {
    return new DatasetRequest(source, output, name, limit, window, budgetUsd, carry);
  }

  public DatasetRequest withLimit(Integer max) {
    return new DatasetRequest(source, output, recipe, max, window, budgetUsd, carry);
  }

  public DatasetRequest withWindow(Integer size) {
    return new DatasetRequest(source, output, recipe, limit, size, budgetUsd, carry);
  }

  public DatasetRequest withBudget(Double usd) {
    return new DatasetRequest(source, output, recipe, limit, window, usd, carry);
  }

  public DatasetRequest withCarry(DatasetCarry state) {
    return new DatasetRequest(source, output, recipe, limit, window, budgetUsd, state);
  }
}
