package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/**
 * @param spool the endpoint and spool whose waiting lines are kept alive ({@code seq} -1)
 * @param openSeqs the sequence numbers of the open batches, whose lines are kept alive too
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record KeepAliveRequest(BatchRef spool, List<Integer> openSeqs) {}
