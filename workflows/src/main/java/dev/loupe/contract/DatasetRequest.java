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
 * @param weight this dataset's share of the worker pools against other datasets running at the same
 *     time: its tasks are dispatched in proportion to it (Temporal task-queue fairness, the dataset
 *     as fairness key); {@value #DEFAULT_WEIGHT} when absent, within {@value #MIN_WEIGHT} to
 *     {@value #MAX_WEIGHT}
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
    String cache,
    Double weight) {

  public static final double DEFAULT_WEIGHT = 1.0;
  public static final double MIN_WEIGHT = 0.001;
  public static final double MAX_WEIGHT = 1000;
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
        cache,
        null);
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
        source, output, recipe, limit, window, budgetUsd, null, null, null, null, carry, null, null,
        null);
  }

  public static DatasetRequest of(String source, String output) {
    return new DatasetRequest(
        source, output, null, null, null, null, null, null, null, null, null, null, null, null);
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
    return edit(fields -> fields.recipe = name);
  }

  public DatasetRequest withLimit(Integer max) {
    return edit(fields -> fields.limit = max);
  }

  public DatasetRequest withWindow(Integer size) {
    return edit(fields -> fields.window = size);
  }

  public DatasetRequest withBudget(Double usd) {
    return edit(fields -> fields.budgetUsd = usd);
  }

  public DatasetRequest withFailedWaitHours(Double hours) {
    return edit(fields -> fields.failedWaitHours = hours);
  }

  public DatasetRequest withConversation(String style) {
    return edit(fields -> fields.conversation = style);
  }

  public java.util.List<String> formatsOrDefault() {
    return ExportFormats.orDefault(formats);
  }

  public DatasetRequest withFormats(java.util.List<String> names, ShardOptions options) {
    return edit(
        fields -> {
          fields.formats = names;
          fields.shards = options;
        });
  }

  public DatasetRequest withLane(String name) {
    return edit(fields -> fields.lane = name);
  }

  public DatasetRequest withCache(String location) {
    return edit(fields -> fields.cache = location);
  }

  public DatasetRequest withWeight(Double share) {
    return edit(fields -> fields.weight = share);
  }

  public DatasetRequest withCarry(DatasetCarry state) {
    return edit(fields -> fields.carry = state);
  }

  /** The lane of stages without their own. */
  public Lane laneOrDefault() {
    return lane == null || lane.isBlank() ? Lane.ONLINE : Lane.fromName(lane);
  }

  public double weightOrDefault() {
    return weight == null ? DEFAULT_WEIGHT : weight;
  }

  /** This request with the fields {@code change} sets, the others as they are. */
  private DatasetRequest edit(java.util.function.Consumer<Fields> change) {
    Fields fields = new Fields(this);
    change.accept(fields);
    return fields.request();
  }

  /** The components of a request, to change some and build it again: the one copy path. */
  private static final class Fields {
    String source;
    String output;
    String recipe;
    Integer limit;
    Integer window;
    Double budgetUsd;
    Double failedWaitHours;
    String conversation;
    java.util.List<String> formats;
    ShardOptions shards;
    DatasetCarry carry;
    String lane;
    String cache;
    Double weight;

    Fields(DatasetRequest from) {
      source = from.source;
      output = from.output;
      recipe = from.recipe;
      limit = from.limit;
      window = from.window;
      budgetUsd = from.budgetUsd;
      failedWaitHours = from.failedWaitHours;
      conversation = from.conversation;
      formats = from.formats;
      shards = from.shards;
      carry = from.carry;
      lane = from.lane;
      cache = from.cache;
      weight = from.weight;
    }

    DatasetRequest request() {
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
          cache,
          weight);
    }
  }
}
