package dev.loupe.bench;

/**
 * Random failures {@link FakeBenchEndpoint} mixes into its answers, each a probability per request
 * (0 to 1, together at most 1).
 *
 * @param serverError 500/502/503 with an error body (retryable)
 * @param malformed 200 whose body is not JSON, or whose structured content breaks off
 * @param truncated 200 whose body stops halfway (Content-Length promises more)
 * @param refusal 200 whose message is a refusal and has no content
 * @param hang no answer at all until the client gives up
 */
public record Faults(
    double serverError, double malformed, double truncated, double refusal, double hang) {
  public static final Faults NONE = new Faults(0, 0, 0, 0, 0);

  public Faults {
    for (double rate : new double[] {serverError, malformed, truncated, refusal, hang}) {
      if (rate < 0 || rate > 1) {
        throw new IllegalArgumentException("fault rates are probabilities: " + rate);
      }
    }
    if (serverError + malformed + truncated + refusal + hang > 1) {
      throw new IllegalArgumentException("fault rates add up to more than 1");
    }
  }

  /** The fault for a uniform draw in [0, 1), or null for a normal answer. */
  Kind pick(double draw) {
    double edge = serverError;
    if (draw < edge) {
      return Kind.SERVER_ERROR;
    }
    edge += malformed;
    if (draw < edge) {
      return Kind.MALFORMED;
    }
    edge += truncated;
    if (draw < edge) {
      return Kind.TRUNCATED;
    }
    edge += refusal;
    if (draw < edge) {
      return Kind.REFUSAL;
    }
    edge += hang;
    return draw < edge ? Kind.HANG : null;
  }

  /** A scripted or random failure. */
  public enum Kind {
    RATE_LIMITED,
    SERVER_ERROR,
    MALFORMED,
    TRUNCATED,
    REFUSAL,
    HANG
  }
}
