package dev.loupe.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import dev.loupe.activity.ApiActivitiesImpl;
import dev.loupe.activity.CpuActivitiesImpl;
import dev.loupe.activity.ImageProber;
import dev.loupe.activity.RecordBuilder;
import dev.loupe.config.EndpointSettings;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.ApiActivities;
import dev.loupe.contract.CpuActivities;
import dev.loupe.export.Exporter;
import dev.loupe.export.FailedList;
import dev.loupe.export.RunManifest;
import dev.loupe.image.ImageLimits;
import dev.loupe.image.ImagePreparer;
import dev.loupe.image.ImageProbe;
import dev.loupe.image.ProviderImageLimits;
import dev.loupe.pricing.PriceTable;
import dev.loupe.prompt.PromptLibrary;
import dev.loupe.provider.Secret;
import dev.loupe.provider.openai.OpenAiClient;
import dev.loupe.provider.openai.OpenAiSettings;
import dev.loupe.recipe.ConfigFiles;
import dev.loupe.recipe.Endpoints;
import dev.loupe.recipe.Planner;
import dev.loupe.recipe.RecipeLibrary;
import dev.loupe.record.ItemStore;
import dev.loupe.record.RecordMapper;
import dev.loupe.source.SourceLister;
import dev.loupe.stage.ModelEndpoint;
import dev.loupe.stage.PreparedImages;
import dev.loupe.stage.StageRunner;
import dev.loupe.stage.StructuredOutputs;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.LocalBlobStore;
import dev.loupe.storage.RoutingBlobStore;
import dev.loupe.storage.S3BlobStore;
import dev.loupe.storage.S3Clients;
import dev.loupe.storage.S3Settings;
import dev.loupe.workflow.DatasetTuning;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
  private static final Set<String> OPENAI_IMAGE_TYPES =
      Set.of("image/jpeg", "image/png", "image/webp", "image/gif");

  private final LoupeConfig config;
  private final Path configDirectory;
  private final Map<String, String> environment;

  /**
   * @param config the loaded configuration
   * @param configDirectory where recipes, prompts and prices are read first (null: built-in only)
   * @param environment where API keys are read from (the process environment in production)
   */
  public LoupeModule(LoupeConfig config, Path configDirectory, Map<String, String> environment) {
    this.config = config;
    this.configDirectory = configDirectory;
    this.environment = Map.copyOf(environment);
  }

  @Override
  protected void configure() {
    bind(LoupeConfig.class).toInstance(config);
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
  Planner planner(ConfigFiles files, PromptLibrary prompts) {
    Map<String, String> models = new LinkedHashMap<>();
    config.endpoints().forEach((name, endpoint) -> models.put(name, endpoint.model()));
    if (models.isEmpty()) {
      // A CPU-only worker can still plan when another process serves the endpoints.
      models.put("openai", "gpt-4.1-mini");
    }
    String defaultEndpoint =
        config.defaultEndpoint() == null
            ? models.keySet().iterator().next()
            : config.defaultEndpoint();
    return new Planner(new RecipeLibrary(files), prompts, new Endpoints(defaultEndpoint, models));
  }

  @Provides
  @Singleton
  ItemStore itemStore(BlobStore blobs, @Named("records") ObjectMapper records) {
    return new ItemStore(blobs, records);
  }

  @Provides
  @Singleton
  CpuActivities cpuActivities(
      Planner planner, BlobStore blobs, ItemStore items, @Named("records") ObjectMapper records) {
    RecordBuilder builder = new RecordBuilder();
    return new CpuActivitiesImpl(
        planner,
        new SourceLister(blobs, records),
        new ImageProber(blobs, items, builder, new ImageProbe()),
        items,
        builder,
        new Exporter(items, blobs, records, new RunManifest(Versions.all())),
        new FailedList(blobs, items, records));
  }

  @Provides
  @Singleton
  Map<String, ModelEndpoint> modelEndpoints(OkHttpClient http) {
    Map<String, ModelEndpoint> endpoints = new LinkedHashMap<>();
    config
        .endpoints()
        .forEach(
            (name, settings) -> {
              Secret key = keyOf(settings);
              OpenAiSettings client =
                  new OpenAiSettings(
                      settings.baseUrl(),
                      key,
                      settings.provider().equals(EndpointSettings.OPENAI)
                          ? dev.loupe.provider.openai.Dialect.OPENAI
                          : dev.loupe.provider.openai.Dialect.OPENAI_COMPATIBLE,
                      Duration.ofSeconds(settings.timeoutSeconds()));
              endpoints.put(
                  name,
                  new ModelEndpoint(
                      name,
                      new OpenAiClient(client, http),
                      new ProviderImageLimits(
                          settings.imageMaxLongSide(), 20L * 1024 * 1024, OPENAI_IMAGE_TYPES)));
            });
    return endpoints;
  }

  @Provides
  @Singleton
  ApiActivities apiActivities(
      Map<String, ModelEndpoint> endpoints,
      PromptLibrary prompts,
      PriceTable prices,
      BlobStore blobs,
      @Named("records") ObjectMapper records) {
    PreparedImages images =
        new PreparedImages(blobs, new ImagePreparer(ImageLimits.DEFAULT_MAX_PIXELS), 64);
    return new ApiActivitiesImpl(
        new StageRunner(endpoints, prompts, images, prices), new StructuredOutputs(records));
  }

  @Provides
  @Singleton
  PoolRegistrar poolRegistrar(
      com.google.inject.Provider<CpuActivities> cpu,
      com.google.inject.Provider<ApiActivities> api) {
    return new PoolRegistrar(
        config, cpu::get, api::get, DatasetTuning.DEFAULT, config.retry().toApiRetry());
  }

  private Secret keyOf(EndpointSettings settings) {
    if (settings.apiKeyEnv() == null) {
      return null;
    }
    String value = environment.get(settings.apiKeyEnv());
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "endpoint at "
              + settings.baseUrl()
              + " reads its key from "
              + settings.apiKeyEnv()
              + ", which is not set");
    }
    return new Secret(value);
  }
}
