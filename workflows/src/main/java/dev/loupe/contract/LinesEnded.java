package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Lines whose model calls were completed ({@code done}) or failed ({@code failed}) by one delivery;
 * lines already completed before are not counted again.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record LinesEnded(int done, int failed) {}
