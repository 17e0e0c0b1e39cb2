package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param grammatical whether question and answer are free of grammar errors
 * @param detail the errors found, or a short confirmation
 * @param call the paid call
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GrammarResult(boolean grammatical, String detail, ModelCall call)
    implements ModelCallResult {}
