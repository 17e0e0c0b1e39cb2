package dev.loupe.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a worker's {@code /metrics}, parsed into series for assertions. */
final class PrometheusText {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** One sample line: a metric name, its labels, its value. */
  record Series(String name, Map<String, String> labels, double value) {}

  private final String text;
  private final List<Series> series;

  private PrometheusText(String text, List<Series> series) {
    this.text = text;
    this.series = series;
  }

  /** Scrapes {@code http://127.0.0.1:<port>/metrics}. */
  static PrometheusText scrape(int port) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET /metrics answered " + response.statusCode());
    }
    String text = response.body();
    List<Series> series = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher sample = SAMPLE.matcher(line.strip());
      if (!sample.matches()) {
        throw new IOException("not a Prometheus sample line: " + line);
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (sample.group(2) != null) {
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      series.add(new Series(sample.group(1), labels, number(sample.group(3))));
    }
    return new PrometheusText(text, series);
  }

  private static double number(String text) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }

  /** Scrapes until it answers (the worker is still starting), within the timeout. */
  static PrometheusText await(int port, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return scrape(port);
      } catch (IOException notYet) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("no metrics on port " + port + " within " + timeout, notYet);
        }
        Thread.sleep(100);
      }
    }
  }

  /** The sum of the series of that name whose labels include {@code labels}; 0 when none. */
  double sum(String name, Map<String, String> labels) {
    return matching(name, labels).stream().mapToDouble(Series::value).sum();
  }

  double sum(String name) {
    return sum(name, Map.of());
  }

  List<Series> matching(String name, Map<String, String> labels) {
    return series.stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
        .toList();
  }

  boolean has(String name) {
    return series.stream().anyMatch(s -> s.name().equals(name));
  }

  String text() {
    return text;
  }
}
