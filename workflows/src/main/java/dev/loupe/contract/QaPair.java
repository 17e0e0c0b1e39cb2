package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * A question with its answer and every check's verdict.
 *
 * @param question the question
 * @param type its kind
 * @param answer the answer
 * @param reasoning the rationale, when the recipe asks for one
 * @param checks check name to verdict
 * @param accepted whether every enabled check passed
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record QaPair(
    String question,
    String type,
    String answer,
    String reasoning,
    Map<String, Check> checks,
    boolean accepted) {}
