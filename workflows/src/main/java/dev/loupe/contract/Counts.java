package dev.loupe.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Outcome counts and usage of a dataset so far. Immutable; {@link #add(ImageResult)} returns a new
 * value.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Counts(
    long listed,
    long accepted,
    long rejected,
    long failed,
    long qaAccepted,
    long inputTokens,
    long outputTokens,
    double costUsd) {

  public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0, 0, 0);

  public long done() {
    return accepted + rejected + failed;
  }

  public Counts withListed(long more) {
    return new Counts(
        listed + more, accepted, rejected, failed, qaAccepted, inputTokens, outputTokens, costUsd);
  }

  /** A failed image is being run again: it is no longer counted as failed until it ends. */
  public Counts retrying() {
    return new Counts(
        listed,
        accepted,
        rejected,
        Math.max(0, failed - 1),
        qaAccepted,
        inputTokens,
        outputTokens,
        costUsd);
  }

  public Counts add(ImageResult result) {
    Usage usage = result.usage() == null ? Usage.ZERO : result.usage();
    return new Counts(
        listed,
        accepted + (result.status() == ImageStatus.ACCEPTED ? 1 : 0),
        rejected + (result.status() == ImageStatus.REJECTED ? 1 : 0),
        failed + (result.status() == ImageStatus.FAILED ? 1 : 0),
        qaAccepted + result.qaAccepted(),
        inputTokens + usage.inputTokens(),
        outputTokens + usage.outputTokens(),
        costUsd + usage.costUsd());
  }
}
