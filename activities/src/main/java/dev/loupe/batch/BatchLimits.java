package dev.loupe.batch;

import dev.loupe.provider.ProviderKind;
import java.util.Optional;

/**
 * A provider's documented ceilings on one batch: requests and bytes of input. Endpoint settings are
 * capped at them, and a batch is sealed within them, so a file over the limits is never sent.
 */
public record BatchLimits(int maxRequests, long maxBytes) {
  /** OpenAI Batch: 50,000 requests and 200 MB of input file per batch. */
  public static final BatchLimits OPENAI = new BatchLimits(50_000, 200L * 1000 * 1000);

  /** Anthropic Message Batches: 100,000 requests or 256 MB, whichever comes first. */
  public static final BatchLimits ANTHROPIC = new BatchLimits(100_000, 256L * 1000 * 1000);

  /**
   * Gemini Batch Mode: input files up to 2 GB (batches under 20 MB go inline). Gemini documents no
   * request count per batch; 100,000 is Loupe's own cap.
   */
  public static final BatchLimits GEMINI = new BatchLimits(100_000, 2L * 1000 * 1000 * 1000);

  /** The provider's ceilings, or empty when it has no batch API Loupe speaks. */
  public static Optional<BatchLimits> of(ProviderKind kind) {
    return switch (kind) {
      case OPENAI -> Optional.of(OPENAI);
      case ANTHROPIC -> Optional.of(ANTHROPIC);
      case GEMINI -> Optional.of(GEMINI);
      case OPENAI_COMPATIBLE -> Optional.empty();
    };
  }
}
