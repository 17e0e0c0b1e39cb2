package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * @param questions the questions, validated against the requested schema
 * @param call the paid call that made them
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record QuestionsResult(List<Question> questions, ModelCall call)
    implements ModelCallResult {}
