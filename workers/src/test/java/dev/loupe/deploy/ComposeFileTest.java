package dev.loupe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.recipe.ProjectConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The compose deployment, checked without a Docker engine: every service the design names, the
 * {@code gpu} profile, start order, ports, the workers' pools and metrics, Prometheus scraping each
 * of them, and {@code .env.example} covering every variable. CI also runs {@code docker compose
 * config} where the client exists ({@code .ci/run}).
 */
class ComposeFileTest {
  private static final Path DOCKER = ProjectConfig.directory().getParent().resolve("docker");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> WORKERS =
      List.of("worker-workflows", "worker-cpu", "worker-api", "worker-captioner");

  private final JsonNode compose = read("compose.yaml");
  private final JsonNode services = compose.get("services");

  @Test
  void everyServiceOfTheDeploymentExists() {
    List<String> names = new ArrayList<>();
    services.properties().forEach(service -> names.add(service.getKey()));

    assertThat(names)
        .containsExactlyInAnyOrder(
            "postgresql",
            "temporal-schema",
            "temporal",
            "temporal-register",
            "temporal-ui",
            "minio",
            "minio-setup",
            "worker-workflows",
            "worker-cpu",
            "worker-api",
            "vllm",
            "worker-captioner",
            "prometheus");
    assertThat(services.at("/temporal/image").asText()).startsWith("temporalio/server:");
    assertThat(services.at("/temporal-schema/image").asText())
        .startsWith("temporalio/admin-tools:");
    assertThat(services.at("/temporal-ui/image").asText()).startsWith("temporalio/ui:");
    assertThat(services.at("/postgresql/image").asText()).startsWith("postgres:");
    assertThat(services.at("/vllm/image").asText()).startsWith("vllm/vllm-openai:");
  }

  @Test
  void onlyTheCaptionerAndItsModelServerNeedTheGpuProfile() {
    for (var service : services.properties()) {
      boolean gpu = Set.of("vllm", "worker-captioner").contains(service.getKey());
      JsonNode profiles = service.getValue().get("profiles");
      if (gpu) {
        assertThat(profiles).as(service.getKey()).isNotNull();
        assertThat(profiles.get(0).asText()).isEqualTo("gpu");
      } else {
        assertThat(profiles).as(service.getKey() + " runs without a profile").isNull();
      }
    }
    JsonNode device = services.at("/vllm/deploy/resources/reservations/devices/0");
    assertThat(device.get("driver").asText()).isEqualTo("nvidia");
    assertThat(device.get("capabilities").get(0).asText()).isEqualTo("gpu");
  }

  @Test
  void servicesStartInOrder() {
    assertThat(condition("temporal-schema", "postgresql")).isEqualTo("service_healthy");
    assertThat(condition("temporal", "temporal-schema"))
        .isEqualTo("service_completed_successfully");
    assertThat(condition("temporal-register", "temporal")).isEqualTo("service_healthy");
    assertThat(condition("temporal-ui", "temporal")).isEqualTo("service_healthy");
    assertThat(condition("minio-setup", "minio")).isEqualTo("service_healthy");
    for (String worker : WORKERS) {
      assertThat(condition(worker, "temporal-register"))
          .as(worker)
          .isEqualTo("service_completed_successfully");
      assertThat(condition(worker, "minio-setup"))
          .as(worker)
          .isEqualTo("service_completed_successfully");
    }
    assertThat(condition("worker-captioner", "vllm")).isEqualTo("service_started");
  }

  @Test
  void operatorsReachTheUisOnLoopbackUnlessTheyOptOut() {
    String bind = "${LOUPE_BIND_ADDRESS:-127.0.0.1}:";
    assertThat(ports("temporal")).containsExactly(bind + "7233:7233");
    assertThat(ports("temporal-ui")).containsExactly(bind + "8080:8080");
    assertThat(ports("minio")).containsExactly(bind + "9000:9000", bind + "9001:9001");
    assertThat(ports("prometheus")).containsExactly(bind + "9090:9090");
    for (var service : services.properties()) {
      assertThat(texts(service.getValue().path("ports")))
          .as(service.getKey() + " publishes ports on the bind address only")
          .allMatch(port -> port.startsWith(bind));
    }
  }

  @Test
  void secretsHaveNoDefaultsSoComposeRefusesToStartWithoutThem() throws IOException {
    String text = Files.readString(DOCKER.resolve("compose.yaml"));
    Matcher secrets =
        Pattern.compile("\\$\\{([A-Z0-9_]*(?:PASSWORD|SECRET_KEY|ACCESS_KEY|ROOT_USER))([^}]*)}")
            .matcher(text);
    Set<String> seen = new LinkedHashSet<>();
    while (secrets.find()) {
      seen.add(secrets.group(1));
      assertThat(secrets.group(2))
          .as(secrets.group(1) + " must be required (${VAR:?message}), never defaulted")
          .startsWith(":?");
    }
    assertThat(seen)
        .contains(
            "POSTGRES_PASSWORD",
            "MINIO_ROOT_USER",
            "MINIO_ROOT_PASSWORD",
            "LOUPE_S3_ACCESS_KEY",
            "LOUPE_S3_SECRET_KEY");
    assertThat(text).doesNotContain("change-me");
    Properties example = example();
    for (String secret : seen) {
      assertThat(example.getProperty(secret)).as(secret + " in .env.example").isEmpty();
    }
  }

  @Test
  void workersUseABucketScopedUserNotTheRootCredentials() throws IOException {
    for (String worker : WORKERS) {
      JsonNode environment = services.at("/" + worker + "/environment");
      assertThat(environment.get("AWS_ACCESS_KEY_ID").asText()).startsWith("${LOUPE_S3_ACCESS_KEY");
      assertThat(environment.get("AWS_SECRET_ACCESS_KEY").asText())
          .startsWith("${LOUPE_S3_SECRET_KEY");
      assertThat(environment.toString()).doesNotContain("MINIO_ROOT");
    }
    String setup = Files.readString(DOCKER.resolve("minio/setup.sh"));
    assertThat(setup)
        .contains("mc admin user add local \"$LOUPE_S3_ACCESS_KEY\"")
        .contains("arn:aws:s3:::$LOUPE_BUCKET/*")
        .doesNotContain("s3:*");
    assertThat(texts(services.at("/minio-setup/volumes"))).contains("./minio:/loupe-minio:ro");
  }

  @Test
  void everyImageIsPinnedToAVersion() {
    for (var service : services.properties()) {
      JsonNode image = service.getValue().get("image");
      if (image == null) {
        continue;
      }
      Matcher tag = Pattern.compile(":\\$\\{[A-Z_]+:-([^}]+)}$").matcher(image.asText());
      assertThat(tag.find()).as(service.getKey() + " image " + image.asText()).isTrue();
      assertThat(tag.group(1)).as(service.getKey()).isNotEqualTo("latest").matches(".*[0-9].*");
    }
  }

  @Test
  void composeRunsTheTemporalReleaseTheTestsRunOn() throws IOException {
    Matcher tested =
        Pattern.compile("(?m)^SERVER_VERSION=v(\\S+)$")
            .matcher(Files.readString(DOCKER.getParent().resolve("scripts/temporal-postgres")));
    assertThat(tested.find()).isTrue();
    assertThat(services.at("/temporal/image").asText())
        .isEqualTo("temporalio/server:${TEMPORAL_VERSION:-" + tested.group(1) + "}");
    assertThat(services.at("/temporal-schema/image").asText())
        .isEqualTo(
            "temporalio/admin-tools:${TEMPORAL_ADMINTOOLS_VERSION:-" + tested.group(1) + "}");
    assertThat(example().getProperty("TEMPORAL_VERSION")).isEqualTo(tested.group(1));
  }

  @Test
  void theUiCannotChangeWorkflowsUnlessTheOperatorTurnsItOn() {
    JsonNode ui = services.at("/temporal-ui/environment");
    assertThat(ui.get("TEMPORAL_DISABLE_WRITE_ACTIONS").asText())
        .isEqualTo("${TEMPORAL_UI_DISABLE_WRITE_ACTIONS:-true}");
    assertThat(ui.get("TEMPORAL_AUTH_ENABLED").asText()).startsWith("${TEMPORAL_UI_AUTH_ENABLED");
  }

  @Test
  void theModelServerDoesNotRunAsRoot() {
    String user = services.at("/vllm/user").asText();
    assertThat(user).isNotBlank().doesNotStartWith("0").doesNotStartWith("root");
    assertThat(services.at("/vllm/environment/HOME").asText()).isEqualTo("/models");
  }

  @Test
  void theFilledInEnvFileIsNeverCommitted() throws IOException {
    List<String> ignored =
        Files.readAllLines(DOCKER.getParent().resolve(".gitignore")).stream()
            .map(String::strip)
            .toList();
    assertThat(ignored).contains("docker/.env");
  }

  @Test
  void eachWorkerRunsItsPoolServesMetricsAndIsScraped() throws IOException {
    for (String worker : WORKERS) {
      JsonNode service = services.get(worker);
      List<String> command = texts(service.get("command"));
      String pool = worker.substring("worker-".length());
      assertThat(String.join(" ", command))
          .as(worker)
          .contains("worker --pool " + pool)
          .contains("--metrics-port 9464");
      assertThat(service.at("/build/dockerfile").asText()).isEqualTo("docker/Dockerfile");
      assertThat(service.at("/environment/TEMPORAL_ADDRESS").asText()).isEqualTo("temporal:7233");
      assertThat(service.at("/stop_grace_period").asText()).isEqualTo("60s");
    }
    assertThat(services.at("/worker-api/environment/OPENAI_API_KEY").isMissingNode()).isFalse();
    assertThat(services.at("/worker-cpu/environment/OPENAI_API_KEY").isMissingNode())
        .as("only API workers see the key")
        .isTrue();
    assertThat(String.join(" ", texts(services.at("/worker-captioner/command"))))
        .contains("--model-url http://vllm:8000/v1")
        .contains("--batch-slots ${CAPTIONER_BATCH_SLOTS");
    assertThat(String.join(" ", texts(services.at("/vllm/command"))))
        .contains("--model ${CAPTIONER_MODEL")
        .contains("--max-num-seqs ${CAPTIONER_BATCH_SLOTS");

    JsonNode prometheus = read("prometheus.yml");
    JsonNode workers = prometheus.at("/scrape_configs/0/dns_sd_configs/0");
    assertThat(texts(workers.get("names"))).containsExactlyInAnyOrderElementsOf(WORKERS);
    assertThat(workers.get("port").asInt()).isEqualTo(9464);
    assertThat(texts(services.at("/prometheus/volumes")))
        .anyMatch(volume -> volume.startsWith("./prometheus.yml:"));
  }

  @Test
  void everyVariableHasAnExampleValue() throws IOException {
    Properties example = example();
    Matcher variables =
        Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)")
            .matcher(Files.readString(DOCKER.resolve("compose.yaml")));
    Set<String> used = new LinkedHashSet<>();
    while (variables.find()) {
      used.add(variables.group(1));
    }
    assertThat(used).isNotEmpty();
    assertThat(example.stringPropertyNames()).containsAll(used);
  }

  @Test
  void imageBuildsInTwoStagesAndRunsAsAnUnprivilegedUser() throws IOException {
    List<String> lines = Files.readAllLines(DOCKER.resolve("Dockerfile"));
    List<String> stages = lines.stream().filter(line -> line.startsWith("FROM ")).toList();
    assertThat(stages).hasSize(2);
    assertThat(stages.get(1)).contains("eclipse-temurin:21-jre");
    String user =
        lines.stream().filter(line -> line.startsWith("USER ")).reduce((a, b) -> b).orElseThrow();
    assertThat(user).doesNotContain("root").isNotEqualTo("USER 0");
  }

  private static Properties example() throws IOException {
    Properties example = new Properties();
    try (var reader = Files.newBufferedReader(DOCKER.resolve(".env.example"))) {
      example.load(reader);
    }
    return example;
  }

  private String condition(String service, String dependency) {
    return services.at("/" + service + "/depends_on/" + dependency + "/condition").asText();
  }

  private List<String> ports(String service) {
    return texts(services.at("/" + service + "/ports"));
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(item -> texts.add(item.asText()));
    return texts;
  }

  /**
   * Reads YAML with SnakeYAML, which (unlike Jackson's YAML parser) resolves anchors and merge keys
   * ({@code <<: *loupe-worker}) as Compose does.
   */
  private static JsonNode read(String name) {
    try {
      Object document = new Yaml().load(Files.readString(DOCKER.resolve(name)));
      return JSON.valueToTree(document);
    } catch (IOException e) {
      throw new AssertionError("cannot read docker/" + name, e);
    }
  }
}
