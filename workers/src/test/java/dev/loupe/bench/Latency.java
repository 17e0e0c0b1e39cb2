package dev.loupe.bench;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * How long {@link FakeBenchEndpoint} takes to answer: a fixed time, uniform between two bounds, or
 * lognormal given by its median and 99th percentile (model latencies are skewed: most answers are
 * quick, a few take many times the median).
 */
public sealed interface Latency {
  /** The z-score of the 99th percentile of the standard normal distribution. */
  double Z99 = 2.3263478740408408;

  /** One draw. */
  Duration sample(SplittableRandom random);

  /** The distribution's mean, in milliseconds. */
  double meanMillis();

  /** A constant latency. */
  record Fixed(long millis) implements Latency {
    public Fixed {
      if (millis < 0) {
        throw new IllegalArgumentException("latency must not be negative: " + millis);
      }
    }

    @Override
    public Duration sample(SplittableRandom random) {
      return Duration.ofMillis(millis);
    }

    @Override
    public double meanMillis() {
      return millis;
    }

    @Override
    public String toString() {
      return "fixed " + millis + " ms";
    }
  }

  /** Uniform between {@code minMillis} and {@code maxMillis}, both included. */
  record Uniform(long minMillis, long maxMillis) implements Latency {
    public Uniform {
      if (minMillis < 0 || maxMillis < minMillis) {
        throw new IllegalArgumentException("need 0 <= min <= max: " + minMillis + ".." + maxMillis);
      }
    }

    @Override
    public Duration sample(SplittableRandom random) {
      return Duration.ofNanos(
          random.nextLong(minMillis * 1_000_000L, maxMillis * 1_000_000L + 1_000_000L));
    }

    @Override
    public double meanMillis() {
      return (minMillis + maxMillis + 1) / 2.0;
    }

    @Override
    public String toString() {
      return "uniform " + minMillis + "–" + maxMillis + " ms";
    }
  }

  /** Lognormal with this median and 99th percentile: mu = ln(median), sigma from the ratio. */
  record LogNormal(long medianMillis, long p99Millis) implements Latency {
    public LogNormal {
      if (medianMillis <= 0 || p99Millis <= medianMillis) {
        throw new IllegalArgumentException(
            "need 0 < median < p99: " + medianMillis + ", " + p99Millis);
      }
    }

    public double sigma() {
      return Math.log((double) p99Millis / medianMillis) / Z99;
    }

    @Override
    public Duration sample(SplittableRandom random) {
      double millis = medianMillis * Math.exp(sigma() * gaussian(random));
      return Duration.ofNanos((long) (millis * 1_000_000));
    }

    @Override
    public double meanMillis() {
      double sigma = sigma();
      return medianMillis * Math.exp(sigma * sigma / 2);
    }

    @Override
    public String toString() {
      return "lognormal median " + medianMillis + " ms, p99 " + p99Millis + " ms";
    }

    private static double gaussian(SplittableRandom random) {
      // Box–Muller; SplittableRandom has no nextGaussian of its own before Java 17's
      // RandomGenerator.
      double u = 1.0 - random.nextDouble();
      double v = random.nextDouble();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
  }

  /**
   * Parses {@code fixed:MS}, {@code uniform:MIN:MAX} or {@code lognormal:MEDIAN:P99}
   * (milliseconds).
   */
  static Latency parse(String text) {
    String[] parts = text.split(":");
    try {
      return switch (parts[0]) {
        case "fixed" -> new Fixed(Long.parseLong(parts[1]));
        case "uniform" -> new Uniform(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        case "lognormal" -> new LogNormal(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
        default -> throw new IllegalArgumentException("unknown latency kind " + parts[0]);
      };
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      throw new IllegalArgumentException(
          "latency must be fixed:MS, uniform:MIN:MAX or lognormal:MEDIAN:P99, got " + text, e);
    }
  }
}
