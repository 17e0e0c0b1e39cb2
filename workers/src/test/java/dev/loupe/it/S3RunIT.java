package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Stage;
import dev.loupe.config.EndpointSettings;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.contract.DatasetWorkflow;
import dev.loupe.contract.TaskQueues;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeOpenAiServer;
import dev.loupe.recipe.ProjectConfig;
import dev.loupe.worker.LoupeModule;
import dev.loupe.worker.Pool;
import dev.loupe.worker.PoolRegistrar;
import dev.loupe.worker.TemporalModule;
import io.temporal.client.WorkflowOptions;
import java.net.URI;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A dataset read from and written to a real S3-compatible server, through the production Guice
 * modules, on the real Temporal dev server. Only the model endpoint is a fake.
 */
class S3RunIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void datasetFromS3WritesItsOutputsToS3() throws Exception {
    String endpoint = TestServers.s3Endpoint();
    String bucket = "loupe-it-" + System.nanoTime();
    LoupeConfig.S3Config s3 = new LoupeConfig.S3Config(endpoint, "us-east-1", true);
    try (FakeOpenAiServer fake = FakeOpenAiServer.start();
        S3Client client =
            dev.loupe.storage.S3Clients.create(
                new dev.loupe.storage.S3Settings(URI.create(endpoint), "us-east-1", true))) {
      client.createBucket(b -> b.bucket(bucket));
      client.putObject(
          p -> p.bucket(bucket).key("images/chart.png"),
          RequestBody.fromBytes(TestImages.barChartPng()));
      client.putObject(
          p -> p.bucket(bucket).key("images/page.png"),
          RequestBody.fromBytes(TestImages.documentPagePng()));
      client.putObject(
          p -> p.bucket(bucket).key("images/empty.png"), RequestBody.fromBytes(TestImages.empty()));

      LinkedHashMap<String, EndpointSettings> endpoints = new LinkedHashMap<>();
      endpoints.put(
          "fake",
          new EndpointSettings(
              "openai-compatible", fake.baseUrl(), null, "fake-model", 30, 8, null));
      LoupeConfig config =
          new LoupeConfig(null, "fake", endpoints, s3, 4, null)
              .withMoreRoots(
                  List.of("s3://" + bucket + "/images/"), List.of("s3://" + bucket + "/out/"));
      try (RemoteTemporal temporal =
          new RemoteTemporal(TestServers.temporalAddress(), "default", null)) {
        Injector injector =
            Guice.createInjector(
                Stage.PRODUCTION,
                new LoupeModule(
                    config, ProjectConfig.directory(), TestServers.freshCacheEnvironment(Map.of())),
                new TemporalModule(temporal));
        injector
            .getInstance(PoolRegistrar.class)
            .register(temporal.workerFactory(), EnumSet.allOf(Pool.class));
        temporal.workerFactory().start();

        DatasetWorkflow workflow =
            temporal
                .client()
                .newWorkflowStub(
                    DatasetWorkflow.class,
                    WorkflowOptions.newBuilder()
                        .setWorkflowId("s3-it-" + bucket)
                        .setTaskQueue(TaskQueues.WORKFLOWS)
                        .build());
        DatasetResult result =
            workflow.run(
                DatasetRequest.of("s3://" + bucket + "/images/", "s3://" + bucket + "/out/run-1/"));

        assertThat(result.counts().accepted()).isEqualTo(2);
        assertThat(result.counts().rejected()).isEqualTo(1);
        List<String> keys =
            client
                .listObjectsV2(
                    ListObjectsV2Request.builder().bucket(bucket).prefix("out/run-1/").build())
                .contents()
                .stream()
                .map(S3Object::key)
                .toList();
        assertThat(keys)
            .contains(
                "out/run-1/run.json",
                "out/run-1/samples.jsonl",
                "out/run-1/rejected.jsonl",
                "out/run-1/failed.jsonl",
                "out/run-1/llava.json",
                "out/run-1/sharegpt.jsonl",
                "out/run-1/stats.json");
        JsonNode stats =
            JSON.readTree(
                client
                    .getObjectAsBytes(g -> g.bucket(bucket).key("out/run-1/stats.json"))
                    .asByteArray());
        assertThat(stats.at("/tokens/input").asLong()).isEqualTo(fake.totalPromptTokens());
        assertThat(stats.at("/rejected_by_reason/bad_image").asLong()).isEqualTo(1);
        String rejected =
            client
                .getObjectAsBytes(g -> g.bucket(bucket).key("out/run-1/rejected.jsonl"))
                .asUtf8String();
        assertThat(rejected).contains("empty.png", "empty");
      }
    }
  }
}
