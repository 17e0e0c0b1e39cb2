package dev.loupe.metrics;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;

/** The Temporal SDK's metrics ({@code temporal_…}), reported into a Micrometer registry. */
public final class TemporalMetrics {
  /** Seconds between reports; short, so that a scrape sees recent numbers. */
  private static final int REPORT_EVERY_SECONDS = 1;

  private TemporalMetrics() {}

  /** The scope to give the service stubs; close it at exit to flush the last report. */
  public static Scope scope(MeterRegistry registry) {
    return new RootScopeBuilder()
        .reporter(new MicrometerClientStatsReporter(registry))
        .reportEvery(com.uber.m3.util.Duration.ofSeconds(REPORT_EVERY_SECONDS));
  }
}
