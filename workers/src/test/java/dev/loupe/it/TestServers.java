package dev.loupe.it;

import static org.assertj.core.api.Assertions.fail;

import dev.loupe.bench.PostgresTemporalServer;
import dev.loupe.bench.TemporalDevServer;
import dev.loupe.bench.TemporalTestServer;
import dev.loupe.recipe.ProjectConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The real servers integration tests run against, started by {@code scripts/test}: a Temporal
 * server (the dev server, or in a second pass the release users deploy, on PostgreSQL) and an
 * S3-compatible server on loopback. A missing server is a failure, never a skip.
 */
final class TestServers {
  private TestServers() {}

  static String temporalAddress() {
    return require("TEMPORAL_ADDRESS");
  }

  /**
   * Whether the Temporal server under test serves the web UI: the dev server does; the
   * PostgreSQL-backed server of {@code scripts/test}'s second pass runs without one.
   */
  static boolean hasUi() {
    return !"postgres".equals(System.getenv("LOUPE_TEST_TEMPORAL"));
  }

  /**
   * Whether the server dispatches by fairness key: the PostgreSQL-backed release of the second pass
   * runs with {@code matching.enableFairness}; the dev server (CLI v1.5.1) has no fairness.
   */
  static boolean hasFairness() {
    return "postgres".equals(System.getenv("LOUPE_TEST_TEMPORAL"));
  }

  /** The dev server's web UI. */
  static String temporalUiUrl() {
    return require("LOUPE_TEMPORAL_UI_URL");
  }

  static String s3Endpoint() {
    return require("LOUPE_TEST_S3_ENDPOINT");
  }

  /** The {@code temporal} CLI, which {@code loupe run} starts as its dev server. */
  static Path temporalCli() {
    String path = System.getenv("PATH");
    for (String dir : path == null ? new String[0] : path.split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "temporal");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return fail("the temporal CLI is not on PATH: run the tests with scripts/test");
  }

  /**
   * A Temporal server of the test's own, which it may kill and restart: the server users deploy on
   * PostgreSQL when the suite runs against it ({@code LOUPE_TEST_TEMPORAL=postgres}, set by {@code
   * scripts/test}'s second pass), else a dev server on a SQLite file.
   */
  static TemporalTestServer ownTemporalServer(Path work) throws IOException, InterruptedException {
    if ("postgres".equals(System.getenv("LOUPE_TEST_TEMPORAL"))) {
      return PostgresTemporalServer.start(
          ProjectConfig.directory().getParent(), work.resolve("temporal-postgres"));
    }
    return TemporalDevServer.start(
        temporalCli(), work.resolve("temporal.db"), work.resolve("temporal.log"));
  }

  private static String require(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      return fail(
          name
              + " is not set: run the integration tests with scripts/test, which starts the servers");
    }
    return value;
  }

  /**
   * {@code env} with {@code XDG_CACHE_HOME} in a new temporary directory unless it names one: each
   * in-JVM worker gets a response cache of its own, so no test is answered from another's calls.
   */
  static Map<String, String> freshCacheEnvironment(Map<String, String> env) {
    if (env.containsKey("XDG_CACHE_HOME")) {
      return env;
    }
    Map<String, String> fresh = new HashMap<>(env);
    try {
      fresh.put("XDG_CACHE_HOME", Files.createTempDirectory("loupe-cache-").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.copyOf(fresh);
  }
}
