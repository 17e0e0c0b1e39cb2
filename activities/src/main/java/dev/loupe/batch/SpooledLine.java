package dev.loupe.batch;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A model call waiting in the batch lane: the provider's request and what delivering its answer
 * needs. Stored as {@code <spool>/<endpoint>/pending/<customId>.json}; an activity attempt
 * overwrites its own entry (with its new task token), so a call is never two lines.
 *
 * @param customId the line's ID at the provider, the same for every attempt of one call
 * @param taskToken the waiting attempt's task token, base64
 * @param attempt that attempt's number
 * @param method which activity waits, and so how its result is assembled
 * @param stage the stage, for the call's record
 * @param endpoint the configured endpoint
 * @param model the model the plan asked for (the price table's key)
 * @param template the template the prompt was rendered from
 * @param questions how many questions an {@code ask} keeps
 * @param structured whether the output must be a JSON object
 * @param maxOutputTokens the output cap, to tell a cut-off structured output
 * @param request the provider's request body; left out of a sealed batch's line index
 * @param spooledAtMillis when the line was written
 * @param schemaName the structured output's schema name, or null (lines spooled before it was kept
 *     have none)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SpooledLine(
    String customId,
    String taskToken,
    int attempt,
    String method,
    String stage,
    String endpoint,
    String model,
    String template,
    int questions,
    boolean structured,
    int maxOutputTokens,
    JsonNode request,
    long spooledAtMillis,
    String schemaName) {

  /** The schema name that reading the answer needs: null for free text. */
  public String schemaNameOrNull() {
    if (!structured) {
      return null;
    }
    return schemaName == null ? "batch" : schemaName;
  }

  /** The same line without its request body, for the index of a sealed batch. */
  public SpooledLine withoutRequest() {
    return new SpooledLine(
        customId,
        taskToken,
        attempt,
        method,
        stage,
        endpoint,
        model,
        template,
        questions,
        structured,
        maxOutputTokens,
        null,
        spooledAtMillis,
        schemaName);
  }
}
