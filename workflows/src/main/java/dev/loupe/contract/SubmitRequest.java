package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * @param batch the endpoint, spool and sequence number to seal and submit
 * @param key identifies this batch at the provider across attempts and crashes: the batch
 *     workflow's ID, the sequence number and the submission round
 * @param maxRequests at most this many lines
 * @param maxBytes at most this many bytes of input file
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SubmitRequest(BatchRef batch, String key, int maxRequests, long maxBytes) {}
