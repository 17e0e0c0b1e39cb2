package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The verdict of one check on a QA pair: whether it passed, and why. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Check(boolean pass, String detail) {}
