package dev.loupe.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A worker's configuration: the YAML file of {@code --config}, or what the environment implies when
 * there is none. Validated on construction; unknown keys in the file are errors.
 *
 * @param temporal where the Temporal server is
 * @param defaultEndpoint endpoint used by recipe stages that name none
 * @param endpoints endpoint name ({@code [a-z0-9-]}) to its settings
 * @param s3 S3 settings for {@code s3://} sources and outputs
 * @param cpuConcurrency concurrent CPU-pool activities per worker
 * @param retry retry policy of model calls
 * @param worker how worker processes run their pools: metrics port, drain, pollers
 * @param captioner the captioner pool's hosted model; null when none is configured
 * @param inputRoots directories and {@code s3://bucket/prefix} prefixes that datasets may read
 *     (their sources and every manifest entry); the working directory when absent
 * @param outputRoots where datasets may write their outputs; the working directory when absent
 * @param limits byte, line and field limits on what a source holds, and the decode budget
 */
public record LoupeConfig(
    TemporalSettings temporal,
    String defaultEndpoint,
    LinkedHashMap<String, EndpointSettings> endpoints,
    S3Config s3,
    Integer cpuConcurrency,
    RetryConfig retry,
    WorkerSettings worker,
    CaptionerSettings captioner,
    List<String> inputRoots,
    List<String> outputRoots,
    LimitsSettings limits) {

  public LoupeConfig(
      TemporalSettings temporal,
      String defaultEndpoint,
      LinkedHashMap<String, EndpointSettings> endpoints,
      S3Config s3,
      Integer cpuConcurrency,
      RetryConfig retry,
      WorkerSettings worker,
      CaptionerSettings captioner) {
    this(
        temporal,
        defaultEndpoint,
        endpoints,
        s3,
        cpuConcurrency,
        retry,
        worker,
        captioner,
        null,
        null,
        null);
  }

  public LoupeConfig(
      TemporalSettings temporal,
      String defaultEndpoint,
      LinkedHashMap<String, EndpointSettings> endpoints,
      S3Config s3,
      Integer cpuConcurrency,
      RetryConfig retry) {
    this(temporal, defaultEndpoint, endpoints, s3, cpuConcurrency, retry, null, null);
  }

  public LoupeConfig {
    temporal = temporal == null ? TemporalSettings.DEFAULT : temporal;
    endpoints = endpoints == null ? new LinkedHashMap<>() : endpoints;
    for (String name : endpoints.keySet()) {
      if (!name.matches("[a-z0-9][a-z0-9-]*")) {
        throw new IllegalArgumentException(
            "endpoint names must be lower-case letters, digits and '-': '" + name + "'");
      }
    }
    if (defaultEndpoint == null && !endpoints.isEmpty()) {
      defaultEndpoint = endpoints.keySet().iterator().next();
    }
    if (defaultEndpoint != null && !endpoints.containsKey(defaultEndpoint)) {
      throw new IllegalArgumentException(
          "defaultEndpoint '" + defaultEndpoint + "' is not among endpoints " + endpoints.keySet());
    }
    s3 = s3 == null ? S3Config.DEFAULT : s3;
    retry = retry == null ? RetryConfig.DEFAULT : retry;
    cpuConcurrency =
        cpuConcurrency == null
            ? Math.max(2, Runtime.getRuntime().availableProcessors())
            : cpuConcurrency;
    worker = worker == null ? WorkerSettings.DEFAULT : worker;
    inputRoots = inputRoots == null ? null : List.copyOf(inputRoots);
    outputRoots = outputRoots == null ? null : List.copyOf(outputRoots);
    limits = limits == null ? LimitsSettings.DEFAULT : limits;
  }

  /** This configuration with other Temporal settings. */
  public LoupeConfig withTemporal(TemporalSettings newTemporal) {
    return new LoupeConfig(
        newTemporal,
        defaultEndpoint,
        endpoints,
        s3,
        cpuConcurrency,
        retry,
        worker,
        captioner,
        inputRoots,
        outputRoots,
        limits);
  }

  /** This configuration with other worker and captioner settings (from command-line flags). */
  public LoupeConfig withWorker(WorkerSettings newWorker, CaptionerSettings newCaptioner) {
    return new LoupeConfig(
        temporal,
        defaultEndpoint,
        endpoints,
        s3,
        cpuConcurrency,
        retry,
        newWorker,
        newCaptioner,
        inputRoots,
        outputRoots,
        limits);
  }

  /**
   * This configuration with more input and output roots: what {@code loupe run} adds for the source
   * and output its operator typed. Absent roots are the working directory, kept here.
   */
  public LoupeConfig withMoreRoots(List<String> moreInputs, List<String> moreOutputs) {
    List<String> inputs = new ArrayList<>(inputRootsOrDefault());
    inputs.addAll(moreInputs);
    List<String> outputs = new ArrayList<>(outputRootsOrDefault());
    outputs.addAll(moreOutputs);
    return new LoupeConfig(
        temporal,
        defaultEndpoint,
        endpoints,
        s3,
        cpuConcurrency,
        retry,
        worker,
        captioner,
        inputs,
        outputs,
        limits);
  }

  /** This configuration with other limits. */
  public LoupeConfig withLimits(LimitsSettings newLimits) {
    return new LoupeConfig(
        temporal,
        defaultEndpoint,
        endpoints,
        s3,
        cpuConcurrency,
        retry,
        worker,
        captioner,
        inputRoots,
        outputRoots,
        newLimits);
  }

  /** The input roots: as configured, or the working directory. */
  public List<String> inputRootsOrDefault() {
    return inputRoots == null ? List.of(workingDirectory()) : inputRoots;
  }

  /** The output roots: as configured, or the working directory. */
  public List<String> outputRootsOrDefault() {
    return outputRoots == null ? List.of(workingDirectory()) : outputRoots;
  }

  private static String workingDirectory() {
    return Path.of("").toAbsolutePath().toString();
  }

  /** The captioner settings, or the defaults when none are configured. */
  public CaptionerSettings captionerOrDefault() {
    return captioner == null ? CaptionerSettings.DEFAULT : captioner;
  }

  public Map<String, EndpointSettings> endpointsView() {
    return Map.copyOf(endpoints);
  }

  /**
   * @param apiMaximumAttempts attempts per model call before the image fails (default 8)
   * @param apiInitialIntervalSeconds first back-off (default 2)
   * @param apiMaximumIntervalSeconds back-off cap (default 60)
   */
  public record RetryConfig(
      Integer apiMaximumAttempts,
      Integer apiInitialIntervalSeconds,
      Integer apiMaximumIntervalSeconds) {
    static final RetryConfig DEFAULT = new RetryConfig(null, null, null);

    public dev.loupe.workflow.ApiRetry toApiRetry() {
      dev.loupe.workflow.ApiRetry defaults = dev.loupe.workflow.ApiRetry.DEFAULT;
      return new dev.loupe.workflow.ApiRetry(
          apiMaximumAttempts == null ? defaults.maximumAttempts() : apiMaximumAttempts,
          apiInitialIntervalSeconds == null
              ? defaults.initialInterval()
              : java.time.Duration.ofSeconds(apiInitialIntervalSeconds),
          apiMaximumIntervalSeconds == null
              ? defaults.maximumInterval()
              : java.time.Duration.ofSeconds(apiMaximumIntervalSeconds));
    }
  }

  /**
   * @param endpoint endpoint override (MinIO and other S3-compatible servers), or null for AWS
   * @param region region
   * @param pathStyle path-style addressing (MinIO needs it)
   */
  public record S3Config(String endpoint, String region, Boolean pathStyle) {
    static final S3Config DEFAULT = new S3Config(null, null, null);
  }
}
