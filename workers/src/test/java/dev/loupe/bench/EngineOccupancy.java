package dev.loupe.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * How full an engine's continuous batch is, from vLLM's own Prometheus gauge {@code
 * vllm:num_requests_running} (the sequences in the running batch; the CPU and GPU builds both serve
 * it at {@code /metrics}), sampled every 50 ms while it runs. Samples where the engine has nothing
 * running or waiting are left out, so the figure is the batch's size while there is work, not
 * diluted by a client's start or end.
 */
final class EngineOccupancy implements AutoCloseable {
  private static final Duration EVERY = Duration.ofMillis(50);

  private final HttpClient http;
  private final URI metrics;
  private final Thread sampler;
  private volatile boolean stopped;
  private double runningSum;
  private long samples;
  private double runningSumAtLastBusy;
  private long samplesAtLastBusy;
  private double peak;

  private EngineOccupancy(HttpClient http, URI metrics) {
    this.http = http;
    this.metrics = metrics;
    this.sampler = Thread.ofPlatform().daemon().name("engine-occupancy").start(this::sample);
  }

  /** Starts sampling the engine whose OpenAI API root is {@code url} ({@code …/v1}). */
  static EngineOccupancy start(HttpClient http, String url) {
    return new EngineOccupancy(
        http, URI.create(url.substring(0, url.length() - "/v1".length()) + "/metrics"));
  }

  /** Mean requests running from the first sample with work to the last; NaN when none had. */
  synchronized double meanRunning() {
    return samplesAtLastBusy == 0 ? Double.NaN : runningSumAtLastBusy / samplesAtLastBusy;
  }

  synchronized double peakRunning() {
    return peak;
  }

  private void sample() {
    while (!stopped) {
      try {
        String text =
            http.send(
                    HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        double running = gauge(text, "vllm:num_requests_running");
        double waiting = gauge(text, "vllm:num_requests_waiting");
        synchronized (this) {
          boolean busy = running + waiting > 0;
          if (busy || samples > 0) {
            runningSum += running;
            samples++;
          }
          if (busy) {
            runningSumAtLastBusy = runningSum;
            samplesAtLastBusy = samples;
            peak = Math.max(peak, running);
          }
        }
        Thread.sleep(EVERY);
      } catch (IOException e) {
        // A missed sample.
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The sum of a gauge's samples (one per engine and model), 0 when absent. */
  private static double gauge(String text, String name) {
    double total = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }

  @Override
  public void close() {
    stop();
  }

  /** Stops sampling; the figures are those of the samples so far. */
  void stop() {
    stopped = true;
    sampler.interrupt();
    try {
      sampler.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
