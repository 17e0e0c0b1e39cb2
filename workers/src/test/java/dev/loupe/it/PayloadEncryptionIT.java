package dev.loupe.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import dev.loupe.codec.EncryptingPayloadCodec;
import dev.loupe.config.TemporalSettings;
import dev.loupe.contract.DatasetResult;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.image.TestImages;
import dev.loupe.provider.openai.FakeOpenAiServer;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.history.v1.History;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Payloads encrypted at rest, on the real dev server and through the CLI as users run it: a worker
 * process and {@code loupe start} with {@code LOUPE_PAYLOAD_KEY}. The histories, read raw (without
 * the codec), hold no caption, question, answer or image URI in plaintext; the training files are
 * the same as a plaintext run's; the worker's codec server gives the plaintext back.
 */
class PayloadEncryptionIT {
  private static final String FAKE_KEY = "sk-test-codec-key-0000000000000";
  private static final String UI_ORIGIN = "http://localhost:8080";

  @TempDir Path work;

  @Test
  void historiesAreCiphertextWhileOutputsMatchAPlaintextRunAndTheCodecServerDecodes()
      throws Exception {
    String address = TestServers.temporalAddress();
    Path images = Files.createDirectories(work.resolve("private-lighthouse-images"));
    Files.write(images.resolve("confidential-chart.png"), TestImages.barChartPng());
    Files.write(images.resolve("confidential-receipt.png"), TestImages.receiptPng());
    String key = Base64.getEncoder().encodeToString(randomBytes(32));
    Map<String, String> keyEnv = Map.of("LOUPE_PAYLOAD_KEY", key, "LOUPE_PAYLOAD_KEY_ID", "it-key");

    try (FakeOpenAiServer fake = FakeOpenAiServer.start(0, FAKE_KEY)) {
      Map<String, String> workerEnv = new HashMap<>(keyEnv);
      workerEnv.putAll(
          Map.of(
              "TEMPORAL_ADDRESS", address,
              "OPENAI_API_KEY", FAKE_KEY,
              "OPENAI_BASE_URL", fake.baseUrl()));
      int codecPort = freePort();
      List<JsonNode> encryptedSamples = new ArrayList<>();
      String encryptedId = "codec-it-" + System.nanoTime();
      Path encryptedOut = work.resolve("out-encrypted");
      LoupeProcess worker =
          LoupeProcess.start(
              work,
              workerEnv,
              "worker",
              "--pool",
              "all",
              "--codec-port",
              Integer.toString(codecPort),
              "--codec-cors-origin",
              UI_ORIGIN);
      try {
        Map<String, String> startEnv = new HashMap<>(keyEnv);
        startEnv.put("TEMPORAL_ADDRESS", address);
        startDataset(startEnv, images, encryptedOut, encryptedId);
        try (RemoteTemporal client =
            RemoteTemporal.connect(new TemporalSettings(address, "default", null), keyEnv)) {
          DatasetResult result =
              client
                  .client()
                  .newUntypedWorkflowStub(encryptedId)
                  .getResult(3, TimeUnit.MINUTES, DatasetResult.class);
          assertThat(result.counts().accepted()).isEqualTo(2);
        }
        assertThat(worker.stderr()).contains("payloads encrypted", "codec server at");

        LoupeProcess keyless =
            LoupeProcess.start(work, Map.of("TEMPORAL_ADDRESS", address), "status", encryptedId);
        assertThat(keyless.waitFor(Duration.ofMinutes(1))).isEqualTo(2);
        assertThat(keyless.stderr())
            .contains("is encrypted (key it-key) but LOUPE_PAYLOAD_KEY is not set")
            .doesNotContain("Exception");

        List<JsonNode> samples = samples(encryptedOut);
        encryptedSamples.addAll(samples);
        List<String> secrets = plaintextThatMustNotLeak(samples, encryptedOut);
        List<String> workflowIds = new ArrayList<>(List.of(encryptedId));
        samples.forEach(sample -> workflowIds.add(encryptedId + "/" + sample.get("id").asText()));

        List<Payload> encryptedPayloads = new ArrayList<>();
        for (String workflowId : workflowIds) {
          History history = rawHistory(address, workflowId);
          String bytes = new String(history.toByteArray(), StandardCharsets.ISO_8859_1);
          for (String secret : secrets) {
            assertThat(bytes)
                .as("the history of %s holds '%s' in plaintext", workflowId, secret)
                .doesNotContain(secret);
          }
          assertThat(bytes).contains(EncryptingPayloadCodec.ENCODING);
          history.getEventsList().stream()
              .filter(HistoryEvent::hasActivityTaskCompletedEventAttributes)
              .flatMap(
                  event ->
                      event
                          .getActivityTaskCompletedEventAttributes()
                          .getResult()
                          .getPayloadsList()
                          .stream())
              .forEach(encryptedPayloads::add);
        }
        assertThat(encryptedPayloads).isNotEmpty().allMatch(EncryptingPayloadCodec::isEncrypted);

        String decoded = decodeThroughCodecServer(codecPort, encryptedPayloads);
        String caption = samples.get(0).at("/caption/text").asText();
        assertThat(decoded).contains(jsonFragment(caption));
      } finally {
        worker.process().destroy();
        worker.waitFor(Duration.ofSeconds(45));
      }

      // The same images without a key: the training records must be the same.
      Map<String, String> plainWorkerEnv = new HashMap<>(workerEnv);
      plainWorkerEnv.keySet().removeAll(keyEnv.keySet());
      Path plainOut = work.resolve("out-plain");
      String plainId = "codec-it-plain-" + System.nanoTime();
      LoupeProcess plainWorker =
          LoupeProcess.start(work, plainWorkerEnv, "worker", "--pool", "all");
      try {
        startDataset(Map.of("TEMPORAL_ADDRESS", address), images, plainOut, plainId);
        try (RemoteTemporal client = new RemoteTemporal(address, "default", null)) {
          client
              .client()
              .newUntypedWorkflowStub(plainId)
              .getResult(3, TimeUnit.MINUTES, DatasetResult.class);
        }
      } finally {
        plainWorker.process().destroy();
        plainWorker.waitFor(Duration.ofSeconds(45));
      }
      assertThat(comparable(encryptedSamples)).isEqualTo(comparable(samples(plainOut)));
      // The same search finds the plaintext run's captions in its history: it can fail.
      List<JsonNode> plainSamples = samples(plainOut);
      String plainHistory =
          new String(
              rawHistory(address, plainId + "/" + plainSamples.get(0).get("id").asText())
                  .toByteArray(),
              StandardCharsets.ISO_8859_1);
      assertThat(plainHistory)
          .contains(fragment(plainSamples.get(0).at("/caption/text").asText()))
          .contains("confidential-");
    }
  }

  private void startDataset(Map<String, String> env, Path images, Path out, String id)
      throws IOException, InterruptedException {
    LoupeProcess start =
        LoupeProcess.start(
            work,
            env,
            "start",
            images.toString(),
            "--out",
            out.toString(),
            "--id",
            id,
            // Both runs pay their calls: the plaintext run must not be answered from the cache
            // the encrypted run filled, or its usage would differ.
            "--no-cache");
    assertThat(start.waitFor(Duration.ofMinutes(1))).as(start.stderr()).isZero();
  }

  /** Captions, questions, answers, image URIs and output paths, as they appear in payload JSON. */
  private static List<String> plaintextThatMustNotLeak(List<JsonNode> samples, Path out) {
    List<String> secrets = new ArrayList<>();
    secrets.add("private-lighthouse-images");
    secrets.add("confidential-chart");
    secrets.add("confidential-receipt");
    secrets.add(out.getFileName().toString());
    for (JsonNode sample : samples) {
      secrets.add(fragment(sample.at("/caption/text").asText()));
      for (JsonNode qa : sample.get("qa")) {
        secrets.add(fragment(qa.get("question").asText()));
        secrets.add(fragment(qa.get("answer").asText()));
      }
    }
    assertThat(secrets).allMatch(secret -> secret.length() >= 12, "long enough to mean something");
    return secrets;
  }

  /** A stretch of text long enough to identify it, short enough to sit inside one JSON string. */
  private static String fragment(String text) {
    String plain = jsonFragment(text);
    return plain.substring(0, Math.min(40, plain.length()));
  }

  /** The text as a JSON string's content (how it would sit in a plaintext payload). */
  private static String jsonFragment(String text) {
    try {
      String json = new ObjectMapper().writeValueAsString(text);
      return json.substring(1, Math.min(json.length() - 1, 60));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<JsonNode> samples(Path out) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<JsonNode> samples = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve("samples.jsonl"))) {
      samples.add(json.readTree(line));
    }
    samples.sort((a, b) -> a.get("id").asText().compareTo(b.get("id").asText()));
    assertThat(samples).hasSize(2);
    return samples;
  }

  private static List<JsonNode> comparable(List<JsonNode> samples) {
    return samples.stream()
        .map(
            sample -> {
              ObjectNode copy = sample.deepCopy();
              copy.remove("provenance");
              // The fake endpoint reports prompt-cache hits for prefixes it has seen, as providers
              // do, so the second run's cached input tokens and cost differ; they say nothing
              // about encryption.
              ((ObjectNode) copy.get("usage"))
                  .remove(List.of("cost_usd", "cached_input_tokens", "saved_usd"));
              return (JsonNode) copy;
            })
        .toList();
  }

  /** Every event of a workflow's history, as the server stores it: no codec on this client. */
  private static History rawHistory(String address, String workflowId) {
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    try {
      History.Builder history = History.newBuilder();
      com.google.protobuf.ByteString page = com.google.protobuf.ByteString.EMPTY;
      do {
        GetWorkflowExecutionHistoryResponse response =
            service
                .blockingStub()
                .getWorkflowExecutionHistory(
                    GetWorkflowExecutionHistoryRequest.newBuilder()
                        .setNamespace("default")
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                        .setNextPageToken(page)
                        .build());
        history.addAllEvents(response.getHistory().getEventsList());
        page = response.getNextPageToken();
      } while (!page.isEmpty());
      assertThat(history.getEventsCount()).as("events of %s", workflowId).isPositive();
      return history.build();
    } finally {
      service.shutdown();
    }
  }

  /** POSTs the payloads to the worker's codec server as the Temporal UI does; returns the JSON. */
  private static String decodeThroughCodecServer(int port, List<Payload> payloads)
      throws IOException, InterruptedException {
    String body =
        JsonFormat.printer().print(Payloads.newBuilder().addAllPayloads(payloads).build());
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/decode"))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .header("Content-Type", "application/json")
                    .header("X-Namespace", "default")
                    .header("Origin", UI_ORIGIN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(UI_ORIGIN);
    Payloads.Builder decoded = Payloads.newBuilder();
    JsonFormat.parser().merge(response.body(), decoded);
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (Payload payload : decoded.getPayloadsList()) {
      assertThat(EncryptingPayloadCodec.isEncrypted(payload)).isFalse();
      data.writeBytes(payload.getData().toByteArray());
    }
    return data.toString(StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
