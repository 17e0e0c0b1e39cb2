package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** Lines waiting in an endpoint's spool and their size in bytes. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SpoolLook(int lines, long bytes) {}
