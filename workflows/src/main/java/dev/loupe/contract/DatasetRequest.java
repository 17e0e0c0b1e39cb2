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
 * @param formats the training formats the export writes: any of {@code llava}, {@code sharegpt},
 *     {@code webdataset}, {@code parquet} ({@link ExportFormats}); {@code llava} and {@code
 *     sharegpt} when absent
 * @param shards how the WebDataset and Parquet shards are cut and what images they hold
 * @param lane {@code online}, {@code batch} or {@code flex}: the lane of every recipe stage that
 *     has none of its own; {@code online} when absent
 * @param cache the response cache for this run's model calls: a directory or {@code s3://} prefix,
 *     or {@value #NO_CACHE} for none; the API workers' own setting when absent
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
    java.util.List<String> formats,
    ShardOptions shards,
    DatasetCarry carry,
    String lane,
    String cache) {

  public static final String DEFAULT_RECIPE = "allava";
  public static final int DEFAULT_WINDOW = 100;
  public static final int MAX_WINDOW = 2000;
  public static final double DEFAULT_FAILED_WAIT_HOURS = 24;
  public static final double MAX_FAILED_WAIT_HOURS = 24 * 30;
  public static final String MULTI_TURN = "multi_turn";
  public static final String SEPARATE = "separate";

  /** {@code "cache": "off"}: no response cache for this run. */
  public static final String NO_CACHE = "off";

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
        null,
        null,
        carry,
        null,
        null);
  }

  /** The request without export formats. */
  public DatasetRequest(
      String source,
      String output,
      String recipe,
      Integer limit,
      Integer window,
      Double budgetUsd,
      Double failedWaitHours,
      String conversation,
      DatasetCarry carry,
      String lane,
      String cache) {
    this(
        source,
        output,
        recipe,
        limit,
        window,
        budgetUsd,
        failedWaitHours,
        conversation,
        null,
        null,
        carry,
        lane,
        cache);
  }

  /** The request without a lane, with export formats. */
  public DatasetRequest(
      String source,
      String output,
      String recipe,
      Integer limit,
      Integer window,
      Double budgetUsd,
      Double failedWaitHours,
      String conversation,
      java.util.List<String> formats,
      ShardOptions shards,
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
        formats,
        shards,
        carry,
        null,
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
    this(
        source, output, recipe, limit, window, budgetUsd, null, null, null, null, carry, null,
        null);
  }

  public static DatasetRequest of(String source, String output) {
    return new DatasetRequest(
        source, output, null, null, null, null, null, null, null, null, null, null, null);
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
        source,
        output,
        name,
        limit,
        window,
        budgetUsd,
        failedWaitHours,
        conversation,
        formats,
        shards,
        carry,
        lane,
        cache);
  }

  public DatasetRequest withLimit(Integer max) {
    return new DatasetRequest(
        source,
        output,
        recipe,
        max,
        window,
        budgetUsd,
        failedWaitHours,
        conversation,
        formats,
        shards,
        carry,
        lane,
        cache);
  }

  public DatasetRequest withWindow(Integer size) {
    return new DatasetRequest(
        source,
        output,
        recipe,
        limit,
        size,
        budgetUsd,
        failedWaitHours,
        conversation,
        formats,
        shards,
        carry,
        lane,
        cache);
  }

  public DatasetRequest withBudget(Double usd) {
    return new DatasetRequest(
        source,
        output,
        recipe,
        limit,
        window,
        usd,
        failedWaitHours,
        conversation,
        formats,
        shards,
        carry,
        lane,
        cache);
  }

  public DatasetRequest withFailedWaitHours(Double hours) {
    return new DatasetRequest(
        source,
        output,
        recipe,
        limit,
        window,
        budgetUsd,
        hours,
        conversation,
        formats,
        shards,
        carry,
        lane,
        cache);
  }

  public DatasetRequest withConversation(String style) {
    return new DatasetRequest(
        source,
        output,
        recipe,
        limit,
        window,
        budgetUsd,
        failedWaitHours,
        style,
        formats,
        shards,
        carry,
        lane,
        cache);
  }

  public java.util.List<String> formatsOrDefault() {
    return ExportFormats.orDefault(formats);
  }

  public DatasetRequest withFormats(java.util.List<String> names, ShardOptions options) {
    return new DatasetRequest(
        source,
        output,
        recipe,
        limit,
        window,
        budgetUsd,
        failedWaitHours,
        conversation,
        names,
        options,
        carry,
        lane,
        cache);
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
        formats,
        shards,
        carry,
        name,
        cache);
  }

  public DatasetRequest withCache(String location) {
    return new DatasetRequest(
        source,
        output,
        recipe,
        limit,
        window,
        budgetUsd,
        failedWaitHours,
        conversation,
        formats,
        shards,
        carry,
        lane,
        location);
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
        formats,
        shards,
        state,
        lane,
        cache);
  }
}
