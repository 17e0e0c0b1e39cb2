package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * @param files the files written, relative to the output
 * @param counts counts recomputed from the persisted records
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExportResult(List<String> files, Counts counts) {}
