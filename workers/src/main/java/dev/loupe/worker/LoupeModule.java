package dev.loupe.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.name.Named;
import dev.loupe.activity.ApiActivitiesImpl;
import dev.loupe.activity.BatchActivitiesImpl;
import dev.loupe.activity.CaptionerActivitiesImpl;
import dev.loupe.activity.CpuActivitiesImpl;
import dev.loupe.activity.EngineSlots;
import dev.loupe.activity.ImageProber;
import dev.loupe.activity.RecordBuilder;
import dev.loupe.activity.StageResults;
import dev.loupe.batch.BatchApi;
import dev.loupe.batch.BatchLineWriter;
import dev.loupe.batch.BatchSpool;
import dev.loupe.batch.LineCompletions;
import dev.loupe.batch.TemporalLineCompletions;
import dev.loupe.cache.ResponseCaches;
import dev.loupe.captioner.ModelServerSupervisor;
import dev.loupe.config.CaptionerSettings;
import dev.loupe.config.EndpointSettings;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.BatchActivities;
import dev.loupe.contract.BatchSettings;
import dev.loupe.contract.CaptionerActivities;
import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetTuning;
import dev.loupe.export.Exporter;
import dev.loupe.export.FailedList;
import dev.loupe.export.RunManifest;
import dev.loupe.export.ShardExporter;
import dev.loupe.image.DecodeBudget;
import dev.loupe.image.ImageLimits;
import dev.loupe.image.ImagePreparer;
import dev.loupe.image.ImageProbe;
import dev.loupe.image.ProviderImageLimits;
import dev.loupe.ocr.TesseractOcr;
import dev.loupe.pricing.PriceTable;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.provider.ProviderKind;
import dev.loupe.provider.openai.OpenAiClient;
import dev.loupe.provider.openai.OpenAiSettings;
import dev.loupe.recipe.ConfigFiles;
import dev.loupe.recipe.Endpoints;
import dev.loupe.recipe.Planner;
import dev.loupe.recipe.RecipeLibrary;
import dev.loupe.record.ItemStore;
import dev.loupe.record.NearDuplicateIndex;
import dev.loupe.record.RecordMapper;
import dev.loupe.source.SourceLister;
import dev.loupe.source.SourceReader;
import dev.loupe.stage.CaptionScoring;
import dev.loupe.stage.ModelEndpoint;
import dev.loupe.stage.PreparedImages;
import dev.loupe.stage.StageRunner;
import dev.loupe.stage.StructuredOutputs;
import dev.loupe.storage.AllowedRoots;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.RoutingBlobStore;
import dev.loupe.storage.S3BlobStore;
import dev.loupe.storage.S3Clients;
import dev.loupe.storage.S3Settings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The composition root of Loupe's activities: one {@code OkHttpClient}, one S3 client, one record
 * mapper per process, and the activity implementations built from plain constructors. Temporal's
 * client and worker factory come from a separate module (a remote server, or the in-process one),
 * so tests swap modules, never classes.
 */
public final class LoupeModule extends AbstractModule {
  /** Well inside the captioner activity's 30 s heartbeat timeout. */
  private static final Duration CAPTIONER_HEARTBEAT_EVERY = Duration.ofSeconds(5);

  /** Well inside the API activities' 30 s heartbeat timeout; shorter calls send none. */
  private static final Duration API_HEARTBEAT_EVERY = Duration.ofSeconds(5);

  private final LoupeConfig config;
  private final Path configDirectory;
  private final Map<String, String> environment;
  private final MeterRegistry metrics;

  /**
   * @param config the loaded configuration
   * @param configDirectory where recipes, prompts and prices are read first (null: built-in only)
   * @param environment where API keys are read from (the process environment in production)
   * @param metrics where Loupe's metrics go (a worker's Prometheus registry)
   */
  public LoupeModule(
      LoupeConfig config,
      Path configDirectory,
      Map<String, String> environment,
      MeterRegistry metrics) {
    this.config = config;
    this.configDirectory = configDirectory;
    this.environment = Map.copyOf(environment);
    this.metrics = metrics;
  }

  /** A module whose metrics go nowhere but memory (commands that serve no metrics). */
  public LoupeModule(LoupeConfig config, Path configDirectory, Map<String, String> environment) {
    this(config, configDirectory, environment, new SimpleMeterRegistry());
  }

  @Override
  protected void configure() {
    bind(LoupeConfig.class).toInstance(config);
    bind(MeterRegistry.class).toInstance(metrics);
    // Commands that never talk to Temporal build this module without a client.
    OptionalBinder.newOptionalBinder(binder(), WorkflowClient.class);
  }

  @Provides
  @Singleton
  ConfigFiles configFiles() {
    return new ConfigFiles(configDirectory);
  }

  @Provides
  @Singleton
  @Named("records")
  ObjectMapper recordMapper() {
    return RecordMapper.create();
  }

  @Provides
  @Singleton
  OkHttpClient httpClient() {
    Dispatcher dispatcher = new Dispatcher();
    int concurrency =
        config.endpoints().values().stream().mapToInt(EndpointSettings::maxConcurrency).sum();
    dispatcher.setMaxRequests(Math.max(64, concurrency));
    dispatcher.setMaxRequestsPerHost(Math.max(64, concurrency));
    return new OkHttpClient.Builder()
        .dispatcher(dispatcher)
        .connectionPool(
            new ConnectionPool(Math.max(16, concurrency), 5, java.util.concurrent.TimeUnit.MINUTES))
        .connectTimeout(Duration.ofSeconds(10))
        .retryOnConnectionFailure(false)
        .build();
  }

  @Provides
  @Singleton
  BlobStore blobStore() {
    LoupeConfig.S3Config s3 = config.s3();
    S3Settings settings =
        s3.endpoint() == null
            ? new S3Settings(
                null, s3.region() == null ? S3Settings.DEFAULT_REGION : s3.region(), false)
            : new S3Settings(
                URI.create(s3.endpoint()),
                s3.region() == null ? S3Settings.DEFAULT_REGION : s3.region(),
                s3.pathStyle() == null || s3.pathStyle());
    return new RoutingBlobStore(
        new LocalBlobStore(), Optional.of(new S3BlobStore(S3Clients.create(settings))));
  }

  /**
   * The one reader of source images in this process: the configured roots, limits and store. Every
   * pool that reads images uses it, so all keep to the same rules.
   */
  @Provides
  @Singleton
  SourceReader sourceReader(BlobStore blobs) {
    AllowedRoots roots =
        AllowedRoots.of(config.inputRootsOrDefault(), config.outputRootsOrDefault());
    return new SourceReader(blobs, roots, config.limits().sourceLimits().maxImageBytes());
  }

  /** One budget for every full-size decode in this process, however many pools it serves. */
  @Provides
  @Singleton
  DecodeBudget decodeBudget() {
    return config.limits().decodeBudget();
  }

  @Provides
  @Singleton
  PromptLibrary prompts(ConfigFiles files) {
    return new PromptLibrary(files);
  }

  @Provides
  @Singleton
  PriceTable prices(ConfigFiles files) throws IOException {
    return PriceTable.load(files);
  }

  @Provides
  @Singleton
  Planner planner(ConfigFiles files, PromptLibrary prompts, PriceTable prices) {
    Map<String, String> models = new LinkedHashMap<>();
    Set<String> flex = new HashSet<>();
    config
        .endpoints()
        .forEach(
            (name, endpoint) -> {
              models.put(name, endpoint.model());
              if (endpoint.kind() == ProviderKind.OPENAI) {
                flex.add(name);
              }
            });
    if (models.isEmpty()) {
      // A CPU-only worker can still plan when another process serves the endpoints.
      models.put("openai", "gpt-4.1-mini");
    }
    String defaultEndpoint =
        config.defaultEndpoint() == null
            ? models.keySet().iterator().next()
            : config.defaultEndpoint();
    Map<String, String> providers = new LinkedHashMap<>();
    Map<String, BatchSettings> batchLanes = new LinkedHashMap<>();
    config
        .endpoints()
        .forEach(
            (name, endpoint) -> {
              providers.put(name, endpoint.provider());
              endpoint.batchSettings().ifPresent(settings -> batchLanes.put(name, settings));
            });
    return new Planner(
        new RecipeLibrary(files),
        prompts,
        new Endpoints(defaultEndpoint, models, flex, providers, batchLanes),
        prices);
  }

  @Provides
  @Singleton
  ItemStore itemStore(BlobStore blobs, @Named("records") ObjectMapper records) {
    return new ItemStore(blobs, records);
  }

  @Provides
  @Singleton
  CpuActivities cpuActivities(
      Planner planner,
      BlobStore blobs,
      SourceReader images,
      ItemStore items,
      @Named("records") ObjectMapper records) {
    RecordBuilder builder = new RecordBuilder();
    return new CpuActivitiesImpl(
        planner,
        new SourceLister(blobs, images, config.limits().sourceLimits(), records),
        new ImageProber(images, items, builder, new ImageProbe(), new NearDuplicateIndex(blobs)),
        items,
        builder,
        new Exporter(items, blobs, images, records, new RunManifest(Versions.all())),
        images,
        TesseractOcr.onPath(),
        new FailedList(blobs, items, records),
        new ShardExporter(blobs, images, records));
  }

  @Provides
  @Singleton
  Map<String, ModelEndpoint> modelEndpoints(OkHttpClient http, Optional<WorkflowClient> client) {
    return new ModelClients(http, environment, client).build(config.endpoints());
  }

  @Provides
  @Singleton
  Map<String, BatchApi> batchApis(OkHttpClient http) {
    return new ModelClients(http, environment).batchApis(config.endpoints());
  }

  /** The API pool's prepared images, shared by its stages and its caption scoring. */
  @Provides
  @Singleton
  PreparedImages apiImages(SourceReader sources, DecodeBudget decodes) {
    return new PreparedImages(
        sources, new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS, decodes), 64);
  }

  @Provides
  @Singleton
  StageRunner apiStageRunner(
      Map<String, ModelEndpoint> endpoints,
      PromptLibrary prompts,
      PriceTable prices,
      BlobStore blobs,
      PreparedImages images) {
    ResponseCaches caches = new ResponseCaches(blobs, config.cacheRoot(environment));
    return new StageRunner(endpoints, prompts, images, prices, caches);
  }

  /** The perplexity check's scorers: one per OpenAI-compatible endpoint (vLLM). */
  @Provides
  @Singleton
  CaptionScoring captionScoring(
      OkHttpClient http,
      Map<String, ModelEndpoint> endpoints,
      PromptLibrary prompts,
      PreparedImages images,
      PriceTable prices) {
    return new CaptionScoring(
        new ModelClients(http, environment).scorers(config.endpoints()),
        endpoints,
        prompts,
        images,
        prices);
  }

  @Provides
  @Singleton
  StageResults stageResults(@Named("records") ObjectMapper records) {
    return new StageResults(new StructuredOutputs(records));
  }

  @Provides
  @Singleton
  BatchSpool batchSpool(BlobStore blobs, @Named("records") ObjectMapper records) {
    return new BatchSpool(blobs, records);
  }

  @Provides
  @Singleton
  ApiActivities apiActivities(
      StageRunner runner,
      StageResults results,
      Map<String, BatchApi> batchApis,
      BatchSpool spool,
      CaptionScoring scoring) {
    return new ApiActivitiesImpl(
        runner,
        results,
        new BatchLineWriter(
            runner,
            batchApis,
            spool,
            Clock.systemUTC(),
            config.endpoints().entrySet().stream()
                .filter(endpoint -> endpoint.getValue().batchFallsBackOnline())
                .map(Map.Entry::getKey)
                .collect(Collectors.toUnmodifiableSet())),
        API_HEARTBEAT_EVERY,
        scoring);
  }

  /** The batch lane's activities; they complete waiting model calls through the client. */
  @Provides
  @Singleton
  BatchActivities batchActivities(
      Map<String, BatchApi> batchApis,
      BatchSpool spool,
      StageRunner runner,
      StageResults results,
      Optional<WorkflowClient> client) {
    return new BatchActivitiesImpl(
        batchApis,
        spool,
        runner,
        results,
        client
            .<LineCompletions>map(
                temporal -> new TemporalLineCompletions(temporal.newActivityCompletionClient()))
            .orElseGet(TemporalLineCompletions::unconnected));
  }

  /**
   * The captioner's model server. Built (not started) in every worker so the injector stays the
   * same; only a captioner worker starts it.
   */
  @Provides
  @Singleton
  ModelServerSupervisor modelServer(OkHttpClient http, MeterRegistry registry) {
    return new ModelServerSupervisor(
        config.captionerOrDefault(), http, registry, ModelServerSupervisor.Timing.DEFAULT);
  }

  @Provides
  @Singleton
  CaptionerActivities captionerActivities(
      ModelServerSupervisor model,
      OkHttpClient http,
      PromptLibrary prompts,
      PriceTable prices,
      SourceReader sources,
      DecodeBudget decodes) {
    CaptionerSettings settings = config.captionerOrDefault();
    ModelEndpoint local =
        new ModelEndpoint(
            CaptionerActivitiesImpl.ENDPOINT,
            new OpenAiClient(
                new OpenAiSettings(
                    settings.modelUrl(),
                    null,
                    dev.loupe.provider.openai.Dialect.OPENAI_COMPATIBLE,
                    Duration.ofSeconds(settings.timeoutSeconds())),
                http),
            ProviderImageLimits.forProvider(dev.loupe.provider.ProviderKind.OPENAI_COMPATIBLE));
    PreparedImages images =
        new PreparedImages(
            sources,
            new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS, decodes),
            settings.activitySlots());
    return new CaptionerActivitiesImpl(
        new StageRunner(
            Map.of(local.name(), local), prompts, images, prices, ResponseCaches.none()),
        model,
        Duration.ofSeconds(settings.modelWaitSeconds()),
        CAPTIONER_HEARTBEAT_EVERY,
        new EngineSlots(settings.batchSlots()));
  }

  @Provides
  @Singleton
  PoolRegistrar poolRegistrar(
      com.google.inject.Provider<CpuActivities> cpu,
      com.google.inject.Provider<ApiActivities> api,
      com.google.inject.Provider<BatchActivities> batch,
      com.google.inject.Provider<CaptionerActivities> captioner) {
    return new PoolRegistrar(
        config,
        cpu::get,
        api::get,
        batch::get,
        captioner::get,
        DatasetTuning.DEFAULT,
        config.retry().toApiRetry());
  }
}
