package dev.loupe.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.loupe.config.ConfigLoader;
import dev.loupe.config.LoupeConfig;
import dev.loupe.embedded.TemporalConnection;
import dev.loupe.worker.LoupeModule;
import dev.loupe.worker.TemporalModule;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command shares: the config file and the config directory. */
final class CommonOptions {
  @Option(
      names = "--config",
      description = "YAML config: endpoints, models, Temporal, S3 (default: from the environment)")
  Path config;

  @Option(
      names = "--config-dir",
      description =
          "directory of recipes/, prompts/ and prices.yaml (default: ./config when present,"
              + " else the built-in copy)")
  Path configDir;

  LoupeConfig load() throws IOException {
    return ConfigLoader.load(config, System.getenv());
  }

  Path configDirectory() {
    if (configDir != null) {
      if (!Files.isDirectory(configDir)) {
        throw new UserError("--config-dir " + configDir + " is not a directory");
      }
      return configDir;
    }
    String home = System.getProperty("loupe.home");
    Path candidate = home == null ? Path.of("config") : Path.of(home, "config");
    return Files.isDirectory(candidate.resolve("recipes")) ? candidate : null;
  }

  Injector injector(LoupeConfig loaded, TemporalConnection temporal) {
    return injector(loaded, temporal, new SimpleMeterRegistry());
  }

  /** An injector for commands that need storage and configuration files but no Temporal. */
  Injector offlineInjector(LoupeConfig loaded) {
    return Guice.createInjector(
        Stage.PRODUCTION, new LoupeModule(loaded, configDirectory(), System.getenv()));
  }

  /**
   * The injector of a process whose metrics go to {@code metrics}. Objects are built when a pool
   * first needs them (development stage, not production's eager singletons): a workflows or CPU
   * worker never builds the model clients, so it runs without the API keys that only the API
   * workers are given (Helm, compose); an API worker without its key still fails at start, when its
   * pool is registered.
   */
  Injector injector(LoupeConfig loaded, TemporalConnection temporal, MeterRegistry metrics) {
    Map<String, String> env = System.getenv();
    return Guice.createInjector(
        Stage.DEVELOPMENT,
        new LoupeModule(loaded, configDirectory(), env, metrics),
        new TemporalModule(temporal));
  }
}
