package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
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
 * @param failedWaitHours when images failed, how long the finished run waits for the {@code
 *     retryFailed} or {@code finish} update before it completes; 0 completes at once; {@value
 *     #DEFAULT_FAILED_WAIT_HOURS} when absent
 * @param conversation how the accepted QA pairs of one image go into {@code llava.json} and {@code
 *     sharegpt.jsonl}: {@code multi_turn} (one conversation, the default) or {@code separate} (one
 *     sample per pair)
 * @param lane {@code online}, {@code batch} or {@code flex}: the lane of every recipe stage that
 *     has none of its own; {@code online} when absent
 * @param carry internal: state carried over continue-as-new; users leave it out (a first start with
 *     it fails, naming the field, so that no caller can skip the plan and the checks)
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
    Double failedWaitHours,
    String conversation,
    DatasetCarry carry,
    String lane) {

  public static final String DEFAULT_RECIPE = "allava";
  public static final int DEFAULT_WINDOW = 100;
  public static final int MAX_WINDOW = 2000;
  public static final double DEFAULT_FAILED_WAIT_HOURS = 24;
  public static final double MAX_FAILED_WAIT_HOURS = 24 * 30;
  public static final String MULTI_TURN = "multi_turn";
  public static final String SEPARATE = "separate";

  @JsonCreator
  public DatasetRequest {}

  /** The request without a lane: every stage without its own runs online. */
  public DatasetRequest(
      String source,
      String output,
      String recipe,
      Integer limit,
      Integer window,
      Double budgetUsd,
      Double failedWaitHours,
      String conversation,
      DatasetCarry carry) {
    this(
        source,
        output,
        recipe,
        limit,
        window,
        budgetUsd,
        failedWaitHours,
        conversation,
        carry,
        null);
  }

  /** The request without the fields added later, as older callers build it. */
  public DatasetRequest(
      String source,
      String output,
      String recipe,
      Integer limit,
      Integer window,
      Double budgetUsd,
      DatasetCarry carry) {
    this(source, output, recipe, limit, window, budgetUsd, null, null, carry);
  }

  public static DatasetRequest of(String source, String output) {
    return new DatasetRequest(source, output, null, null, null, null, null, null, null);
  }

  public String recipeOrDefault() {
    return recipe == null || recipe.isBlank() ? DEFAULT_RECIPE : recipe;
  }

  public int windowOrDefault() {
    return window == null ? DEFAULT_WINDOW : window;
  }

  public double failedWaitHoursOrDefault() {
    return failedWaitHours == null ? DEFAULT_FAILED_WAIT_HOURS : failedWaitHours;
  }

  public String conversationOrDefault() {
    return conversation == null || conversation.isBlank() ? MULTI_TURN : conversation;
  }

  public DatasetRequest withRecipe(String name) {
    return new DatasetRequest(
        source, output, name, limit, window, budgetUsd, failedWaitHours, conversation, carry, lane);
  }

  public DatasetRequest withLimit(Integer max) {
    return new DatasetRequest(
        source, output, recipe, max, window, budgetUsd, failedWaitHours, conversation, carry, lane);
  }

  public DatasetRequest withWindow(Integer size) {
    return new DatasetRequest(
        source, output, recipe, limit, size, budgetUsd, failedWaitHours, conversation, carry, lane);
  }

  public DatasetRequest withBudget(Double usd) {
    return new DatasetRequest(
        source, output, recipe, limit, window, usd, failedWaitHours, conversation, carry, lane);
  }

  public DatasetRequest withFailedWaitHours(Double hours) {
    return new DatasetRequest(
        source, output, recipe, limit, window, budgetUsd, hours, conversation, carry, lane);
  }

  public DatasetRequest withConversation(String style) {
    return new DatasetRequest(
        source, output, recipe, limit, window, budgetUsd, failedWaitHours, style, carry, lane);
  }

  public DatasetRequest withLane(String name) {
    return new DatasetRequest(
        source,
        output,
        recipe,
        limit,
        window,
        budgetUsd,
        failedWaitHours,
        conversation,
        carry,
        name);
  }

  /** The lane of stages without their own. */
  public Lane laneOrDefault() {
    return lane == null || lane.isBlank() ? Lane.ONLINE : Lane.fromName(lane);
  }

  public DatasetRequest withCarry(DatasetCarry state) {
    return new DatasetRequest(
        source,
        output,
        recipe,
        limit,
        window,
        budgetUsd,
        failedWaitHours,
        conversation,
        state,
        lane);
  }
}
