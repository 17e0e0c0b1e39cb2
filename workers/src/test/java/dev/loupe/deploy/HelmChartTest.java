package dev.loupe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.loupe.config.ConfigLoader;
import dev.loupe.config.LoupeConfig;
import dev.loupe.contract.TaskQueues;
import dev.loupe.deploy.HelmChart.Rendered;
import dev.loupe.deploy.HelmChart.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart ({@code docker/helm/loupe}), checked offline: {@code helm lint}, {@code helm
 * template} with the default values and with {@code ci/full-values.yaml} (three endpoints, the GPU
 * captioner, mTLS, KEDA), every rendered object validated by kubeconform against the vendored
 * schemas of Kubernetes 1.33 and KEDA, and what operators rely on read from the rendered objects:
 * one Deployment per pool, each scaled on its own task queue, keys only from Secrets, drains that
 * fit the grace period, config files that Loupe itself accepts.
 */
class HelmChartTest {
  private static final Path FULL_VALUES = HelmChart.CHART.resolve("ci/full-values.yaml");
  private static final YAMLMapper YAML = new YAMLMapper();

  /** After the drain, a worker takes up to this long to hand back its tasks (WorkerCommand). */
  private static final int HAND_BACK_SECONDS = 10;

  private static HelmChart chart;
  private static Rendered defaults;
  private static Rendered full;

  @BeforeAll
  static void renderTheChart() {
    chart = HelmChart.tools();
    defaults = chart.render();
    full = chart.render("-f", FULL_VALUES.toString());
  }

  @Test
  void chartLintsWithoutWarnings() {
    for (Result lint : List.of(chart.lint(), chart.lint("-f", FULL_VALUES.toString()))) {
      assertThat(lint.exit()).as(lint.toString()).isZero();
      assertThat(lint.output()).contains("1 chart(s) linted, 0 chart(s) failed");
    }
  }

  @Test
  void everyRenderedObjectMatchesTheKubernetesAndKedaSchemas() {
    Rendered withoutKeda = chart.render("--set", "keda.enabled=false");
    for (Rendered rendered : List.of(defaults, full, withoutKeda)) {
      Result result = chart.validate(rendered.yaml());
      assertThat(result.exit()).as(result.toString()).isZero();
      int count = rendered.objects().size();
      assertThat(result.output())
          .as("every object validated against a vendored schema, none skipped")
          .contains(
              "Valid: " + count + ", Invalid: 0, Errors: 0, Skipped: 0",
              count + " resources found");
    }
  }

  @Test
  void everyPoolIsOneDeploymentRunningThatPool() {
    assertThat(poolsByDeployment(defaults))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("loupe-workflows", "workflows", "loupe-cpu", "cpu", "loupe-api-openai", "api"));
    assertThat(poolsByDeployment(full))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "loupe-workflows", "workflows",
                "loupe-cpu", "cpu",
                "loupe-api-openai", "api",
                "loupe-api-gemini", "api",
                "loupe-api-local-vllm", "api",
                "loupe-captioner", "captioner"));
  }

  @Test
  void eachApiDeploymentServesOnlyItsEndpointWithAConfigLoupeAccepts(@TempDir Path dir)
      throws IOException {
    for (JsonNode deployment : full.ofKind("Deployment")) {
      LoupeConfig config = loupeConfig(full, deployment, dir);
      String name = deployment.at("/metadata/name").asText();
      if (name.startsWith("loupe-api-")) {
        String endpoint = name.substring("loupe-api-".length());
        assertThat(config.endpoints().keySet()).as(name).containsExactly(endpoint);
      } else {
        assertThat(config.endpoints().keySet())
            .as(name + " plans with every endpoint")
            .containsExactlyInAnyOrder("openai", "gemini", "local-vllm");
        assertThat(config.defaultEndpoint()).isEqualTo("gemini");
      }
      assertThat(config.inputRoots()).containsExactly("s3://loupe/images/");
      assertThat(config.s3().endpoint()).isEqualTo("https://minio.storage.svc:9000");
      assertThat(config.captioner() != null)
          .as(name + " has captioner settings")
          .isEqualTo(name.equals("loupe-captioner"));
    }
    JsonNode captioner = full.named("Deployment", "loupe-captioner");
    assertThat(loupeConfig(full, captioner, dir).captioner().model()).isEqualTo("share-captioner");
    assertThat(loupeConfig(defaults, defaults.named("Deployment", "loupe-cpu"), dir).endpoints())
        .containsOnlyKeys("openai");
  }

  @Test
  void keysReachOnlyTheirWorkersAndOnlyFromSecrets() {
    assertThat(full.ofKind("Secret")).as("the chart never holds a secret itself").isEmpty();
    Map<String, String> keyOwners =
        Map.of(
            "loupe-api-openai", "OPENAI_API_KEY=loupe-openai/api-key",
            "loupe-api-gemini", "GEMINI_API_KEY=loupe-gemini/key");
    for (JsonNode deployment : full.ofKind("Deployment")) {
      String name = deployment.at("/metadata/name").asText();
      List<String> modelKeys = new ArrayList<>();
      for (JsonNode variable : worker(deployment).path("env")) {
        String variableName = variable.get("name").asText();
        if (isSecretVariable(variableName)) {
          assertThat(variable.has("value"))
              .as(name + " " + variableName + " is a literal")
              .isFalse();
          JsonNode reference = variable.at("/valueFrom/secretKeyRef");
          assertThat(reference.isMissingNode()).as(name + " " + variableName).isFalse();
          if (variableName.endsWith("_API_KEY") && !variableName.equals("TEMPORAL_API_KEY")) {
            modelKeys.add(
                variableName
                    + "="
                    + reference.get("name").asText()
                    + "/"
                    + reference.get("key").asText());
          }
        }
      }
      String expected = keyOwners.get(name);
      assertThat(modelKeys)
          .as(name + " sees only its own endpoint's key")
          .isEqualTo(expected == null ? List.of() : List.of(expected));
      assertThat(envValue(deployment, "AWS_SECRET_ACCESS_KEY")).isNull();
    }
    assertThat(secretKeyRef(full.named("Deployment", "loupe-cpu"), "AWS_SECRET_ACCESS_KEY"))
        .isEqualTo("loupe-s3/secret-access-key");
    assertThat(secretKeyRef(full.named("Deployment", "loupe-workflows"), "LOUPE_PAYLOAD_KEY"))
        .isEqualTo("loupe-payload-key/payload-key");
  }

  @Test
  void configMapsHoldNoSecrets() throws IOException {
    for (Rendered rendered : List.of(defaults, full)) {
      for (JsonNode configMap : rendered.ofKind("ConfigMap")) {
        for (Map.Entry<String, JsonNode> entry : configMap.path("data").properties()) {
          String text = entry.getValue().asText();
          assertThat(text).as(entry.getKey()).doesNotContain("-----BEGIN");
          if (entry.getKey().matches("loupe(-.+)?\\.yaml")) {
            assertOnlyVariableNamesForKeys(entry.getKey(), YAML.readTree(text));
          }
        }
      }
    }
  }

  @Test
  void temporalMtlsComesFromTheMountedSecretForWorkersAndKeda() {
    for (JsonNode deployment : full.ofKind("Deployment")) {
      String name = deployment.at("/metadata/name").asText();
      assertThat(envValue(deployment, "TEMPORAL_ADDRESS"))
          .isEqualTo("temporal.internal.example:7233");
      assertThat(envValue(deployment, "TEMPORAL_TLS")).isEqualTo("true");
      assertThat(envValue(deployment, "TEMPORAL_TLS_CERT"))
          .isEqualTo("/etc/loupe/temporal-tls/tls.crt");
      assertThat(envValue(deployment, "TEMPORAL_TLS_KEY"))
          .isEqualTo("/etc/loupe/temporal-tls/tls.key");
      assertThat(envValue(deployment, "TEMPORAL_TLS_CA"))
          .isEqualTo("/etc/loupe/temporal-tls/ca.crt");
      String mount = mountedVolume(deployment, "/etc/loupe/temporal-tls");
      assertThat(volume(deployment, mount).at("/secret/secretName").asText())
          .as(name)
          .isEqualTo("loupe-temporal-mtls");
    }
    JsonNode auth = full.named("TriggerAuthentication", "loupe-temporal");
    Map<String, String> parameters = new TreeMap<>();
    auth.at("/spec/secretTargetRef")
        .forEach(
            ref ->
                parameters.put(
                    ref.get("parameter").asText(),
                    ref.get("name").asText() + "/" + ref.get("key").asText()));
    assertThat(parameters)
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "cert", "loupe-temporal-mtls/tls.crt",
                "key", "loupe-temporal-mtls/tls.key",
                "ca", "loupe-temporal-mtls/ca.crt"));
    for (JsonNode scaled : full.ofKind("ScaledObject")) {
      assertThat(scaled.at("/spec/triggers/0/authenticationRef/name").asText())
          .isEqualTo("loupe-temporal");
      assertThat(scaled.at("/spec/triggers/0/metadata/tlsServerName").asText())
          .isEqualTo("temporal.internal.example");
    }
    assertThat(defaults.ofKind("TriggerAuthentication")).as("plaintext needs none").isEmpty();
  }

  @Test
  void podsAreScrapedByPrometheus() {
    for (Rendered rendered : List.of(defaults, full)) {
      for (JsonNode deployment : rendered.ofKind("Deployment")) {
        JsonNode annotations = deployment.at("/spec/template/metadata/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo("9464");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
        assertThat(argument(deployment, "--metrics-port")).isEqualTo("9464");
        assertThat(worker(deployment).at("/ports/0/containerPort").asInt()).isEqualTo(9464);
      }
    }
  }

  @Test
  void theGracePeriodCoversTheDrainAndTheHandBack() {
    for (Rendered rendered : List.of(defaults, full)) {
      for (JsonNode deployment : rendered.ofKind("Deployment")) {
        int drain = Integer.parseInt(argument(deployment, "--drain-seconds"));
        assertThat(deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asInt())
            .as(deployment.at("/metadata/name").asText())
            .isGreaterThanOrEqualTo(drain + HAND_BACK_SECONDS);
      }
    }
    assertThat(argument(full.named("Deployment", "loupe-api-gemini"), "--drain-seconds"))
        .as("an endpoint's pool overrides reach its Deployment")
        .isEqualTo("45");
    Result tooShort = chart.template("--set", "workers.terminationMarginSeconds=5");
    assertThat(tooShort.exit()).isNotZero();
    assertThat(tooShort.output()).contains("terminationMarginSeconds must be at least 10");
  }

  @Test
  void eachScaledObjectScalesItsPoolOnItsOwnTaskQueue(@TempDir Path dir) {
    for (Rendered rendered : List.of(defaults, full)) {
      List<String> targets = new ArrayList<>();
      for (JsonNode scaled : rendered.ofKind("ScaledObject")) {
        String target = scaled.at("/spec/scaleTargetRef/name").asText();
        targets.add(target);
        JsonNode deployment = rendered.named("Deployment", target);
        JsonNode trigger = scaled.at("/spec/triggers/0");
        assertThat(scaled.at("/spec/triggers").size()).isEqualTo(1);
        assertThat(trigger.get("type").asText()).isEqualTo("temporal");
        JsonNode metadata = trigger.get("metadata");
        String pool = argument(deployment, "--pool");
        assertThat(metadata.get("taskQueue").asText())
            .as(target)
            .isEqualTo(queueOf(pool, loupeConfig(rendered, deployment, dir)));
        assertThat(metadata.get("queueTypes").asText())
            .isEqualTo(pool.equals("workflows") ? "workflow" : "activity");
        assertThat(metadata.get("endpoint").asText())
            .isEqualTo(envValue(deployment, "TEMPORAL_ADDRESS"));
        assertThat(metadata.get("namespace").asText())
            .isEqualTo(envValue(deployment, "TEMPORAL_NAMESPACE"));
        assertThat(metadata.get("targetQueueSize").asText()).matches("[1-9][0-9]*");
        assertThat(deployment.at("/spec/replicas").isMissingNode())
            .as(target + ": KEDA owns the replica count")
            .isTrue();
      }
      assertThat(targets).containsExactlyInAnyOrderElementsOf(names(rendered, "Deployment"));
    }
  }

  @Test
  void theCaptionerScalesToZeroAndTheOtherPoolsKeepAReplica() {
    for (JsonNode scaled : full.ofKind("ScaledObject")) {
      boolean captioner = scaled.at("/metadata/name").asText().equals("loupe-captioner");
      int minimum = scaled.at("/spec/minReplicaCount").asInt();
      assertThat(captioner ? minimum == 0 : minimum >= 1)
          .as(scaled.at("/metadata/name").asText() + " minReplicaCount " + minimum)
          .isTrue();
    }
  }

  @Test
  void withoutKedaEachPoolRunsItsReplicas() {
    Rendered rendered = chart.render("-f", FULL_VALUES.toString(), "--set", "keda.enabled=false");
    assertThat(rendered.ofKind("ScaledObject")).isEmpty();
    assertThat(rendered.ofKind("TriggerAuthentication")).isEmpty();
    for (JsonNode deployment : rendered.ofKind("Deployment")) {
      assertThat(deployment.at("/spec/replicas").asInt())
          .as(deployment.at("/metadata/name").asText())
          .isEqualTo(1);
    }
  }

  @Test
  void everyPoolHasItsOwnDisruptionBudget() {
    for (Rendered rendered : List.of(defaults, full)) {
      assertThat(names(rendered, "PodDisruptionBudget"))
          .containsExactlyInAnyOrderElementsOf(names(rendered, "Deployment"));
      for (JsonNode budget : rendered.ofKind("PodDisruptionBudget")) {
        JsonNode selector = budget.at("/spec/selector/matchLabels");
        List<String> selected = new ArrayList<>();
        for (JsonNode deployment : rendered.ofKind("Deployment")) {
          if (matches(selector, deployment.at("/spec/template/metadata/labels"))) {
            selected.add(deployment.at("/metadata/name").asText());
          }
        }
        assertThat(selected).containsExactly(budget.at("/metadata/name").asText());
        assertThat(budget.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
      }
    }
  }

  @Test
  void theCaptionerRunsVllmBesideItOnTheGpu() throws IOException {
    JsonNode deployment = full.named("Deployment", "loupe-captioner");
    JsonNode spec = deployment.at("/spec/template/spec");
    JsonNode server = spec.at("/initContainers/0");
    assertThat(server.get("restartPolicy").asText())
        .as("a native sidecar, stopped only after the worker has drained")
        .isEqualTo("Always");
    assertThat(server.get("image").asText()).isEqualTo(composeVllmImage());
    assertThat(server.at("/resources/limits/nvidia.com~1gpu").asInt()).isEqualTo(1);
    assertThat(worker(deployment).at("/resources/limits/nvidia.com~1gpu").isMissingNode()).isTrue();
    List<String> serverArgs = texts(server.get("args"));
    assertThat(serverArgs.get(serverArgs.indexOf("--max-num-seqs") + 1))
        .isEqualTo(argument(deployment, "--batch-slots"))
        .isEqualTo("24");
    assertThat(serverArgs.get(serverArgs.indexOf("--model") + 1))
        .isEqualTo("/models/share-captioner");
    String port = server.at("/ports/0/containerPort").asText();
    assertThat(argument(deployment, "--model-url")).isEqualTo("http://127.0.0.1:" + port + "/v1");
    assertThat(server.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health");
    assertThat(volume(deployment, "model-cache").at("/persistentVolumeClaim/claimName").asText())
        .isEqualTo("loupe-models");
    assertThat(spec.at("/tolerations/0/key").asText()).isEqualTo("nvidia.com/gpu");
    assertThat(defaults.ofKind("Deployment"))
        .as("the captioner needs a GPU, so it is off by default")
        .noneMatch(d -> d.at("/metadata/name").asText().equals("loupe-captioner"));
  }

  @Test
  void theConfigDirectoryIsMountedFileByFile() throws IOException {
    Map<String, String> repository = configFiles(HelmChart.REPO.resolve("config"));
    repository.remove("loupe.example.yaml");
    assertThat(mountedConfigFiles(defaults, "loupe-cpu")).isEqualTo(repository);

    Map<String, String> overridden = new TreeMap<>(repository);
    overridden.put(
        "prompts/allava/describe-en-1.txt",
        "Describe this image in detail: objects, text, layout, colours and style.\n");
    assertThat(mountedConfigFiles(full, "loupe-api-gemini")).isEqualTo(overridden);
  }

  @Test
  void theChartsCopyOfTheConfigDirectoryIsCurrent() throws IOException {
    Map<String, String> repository = configFiles(HelmChart.REPO.resolve("config"));
    repository.remove("loupe.example.yaml");
    assertThat(configFiles(HelmChart.CHART.resolve("files/config")))
        .as("docker/helm/loupe/files/config differs from config/: run scripts/helm-sync-config")
        .isEqualTo(repository);
  }

  @Test
  void endpointNamesLoupeWouldRejectFailTheRender() {
    Result result = chart.template("--set", "endpoints[0].name=Open_AI");
    assertThat(result.exit()).isNotZero();
    assertThat(result.output()).contains("lower-case letters, digits and '-'");
  }

  /** The task queue a pool polls, from Loupe's contract rather than from the chart. */
  private static String queueOf(String pool, LoupeConfig config) {
    return switch (pool) {
      case "workflows" -> TaskQueues.WORKFLOWS;
      case "cpu" -> TaskQueues.CPU;
      case "captioner" -> TaskQueues.CAPTIONER;
      case "api" -> {
        assertThat(config.endpoints()).hasSize(1);
        yield TaskQueues.api(config.endpoints().keySet().iterator().next());
      }
      default -> throw new AssertionError("unknown pool " + pool);
    };
  }

  /** The loupe.yaml a Deployment mounts, loaded by Loupe's own loader. */
  private static LoupeConfig loupeConfig(Rendered rendered, JsonNode deployment, Path dir) {
    String configFile = argument(deployment, "--config");
    String mount = configFile.substring(0, configFile.lastIndexOf('/'));
    JsonNode source = volume(deployment, mountedVolume(deployment, mount)).get("configMap");
    String key = source.at("/items/0/key").asText();
    assertThat(source.at("/items/0/path").asText()).isEqualTo("loupe.yaml");
    String text =
        rendered.named("ConfigMap", source.get("name").asText()).at("/data/" + key).asText();
    try {
      Path file = dir.resolve(deployment.at("/metadata/name").asText() + ".yaml");
      Files.writeString(file, text);
      return ConfigLoader.load(file, Map.of());
    } catch (IOException | IllegalArgumentException e) {
      throw new AssertionError("Loupe rejects " + key + ":\n" + text, e);
    }
  }

  /** path -> content of the config directory a Deployment mounts. */
  private static Map<String, String> mountedConfigFiles(Rendered rendered, String name) {
    JsonNode deployment = rendered.named("Deployment", name);
    assertThat(argument(deployment, "--config-dir")).isEqualTo("/etc/loupe/config");
    JsonNode source =
        volume(deployment, mountedVolume(deployment, "/etc/loupe/config")).get("configMap");
    JsonNode data = rendered.named("ConfigMap", source.get("name").asText()).get("data");
    Map<String, String> files = new TreeMap<>();
    for (JsonNode item : source.get("items")) {
      JsonNode content = data.get(item.get("key").asText());
      assertThat(content).as(item.toString()).isNotNull();
      files.put(item.get("path").asText(), content.asText());
    }
    assertThat(files).hasSize(data.size());
    return files;
  }

  private static Map<String, String> configFiles(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(path).toString(), Files.readString(path));
      }
    }
    return files;
  }

  /** A config file may name the variable holding a key (apiKeyEnv), never hold one. */
  private static void assertOnlyVariableNamesForKeys(String file, JsonNode node) {
    if (node.isArray()) {
      node.forEach(item -> assertOnlyVariableNamesForKeys(file, item));
      return;
    }
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      assertThat(field.getKey())
          .as(file + " holds a secret")
          .doesNotMatch("(?i).*(key|secret|token|password|credentials)");
      if (field.getKey().equals("apiKeyEnv")) {
        assertThat(field.getValue().asText()).as(file).matches("[A-Z][A-Z0-9_]*");
      }
      assertOnlyVariableNamesForKeys(file, field.getValue());
    }
  }

  /** Variables holding secrets; TEMPORAL_TLS_KEY is the path of a mounted file instead. */
  private static boolean isSecretVariable(String name) {
    return name.matches(".*(KEY|SECRET|TOKEN|PASSWORD).*") && !name.equals("TEMPORAL_TLS_KEY");
  }

  private static String composeVllmImage() throws IOException {
    String compose = Files.readString(HelmChart.REPO.resolve("docker/compose.yaml"));
    Matcher image =
        Pattern.compile("image: (vllm/vllm-openai):\\$\\{VLLM_VERSION:-([^}]+)}").matcher(compose);
    assertThat(image.find()).as("docker/compose.yaml runs vllm/vllm-openai").isTrue();
    return image.group(1) + ":" + image.group(2);
  }

  private static Map<String, String> poolsByDeployment(Rendered rendered) {
    Map<String, String> pools = new LinkedHashMap<>();
    for (JsonNode deployment : rendered.ofKind("Deployment")) {
      pools.put(deployment.at("/metadata/name").asText(), argument(deployment, "--pool"));
    }
    return pools;
  }

  private static List<String> names(Rendered rendered, String kind) {
    return rendered.ofKind(kind).stream().map(o -> o.at("/metadata/name").asText()).toList();
  }

  private static boolean matches(JsonNode selector, JsonNode labels) {
    for (Map.Entry<String, JsonNode> label : selector.properties()) {
      if (!label.getValue().asText().equals(labels.path(label.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }

  private static JsonNode worker(JsonNode deployment) {
    JsonNode containers = deployment.at("/spec/template/spec/containers");
    assertThat(containers.size()).isEqualTo(1);
    assertThat(containers.get(0).get("name").asText()).isEqualTo("worker");
    return containers.get(0);
  }

  /** The value after a flag on the worker's command line. */
  private static String argument(JsonNode deployment, String flag) {
    List<String> args = texts(worker(deployment).get("args"));
    int index = args.indexOf(flag);
    assertThat(index).as(deployment.at("/metadata/name").asText() + " has " + flag).isNotNegative();
    return args.get(index + 1);
  }

  private static String envValue(JsonNode deployment, String name) {
    for (JsonNode variable : worker(deployment).path("env")) {
      if (variable.get("name").asText().equals(name)) {
        return variable.has("value") ? variable.get("value").asText() : null;
      }
    }
    return null;
  }

  private static String secretKeyRef(JsonNode deployment, String name) {
    for (JsonNode variable : worker(deployment).path("env")) {
      if (variable.get("name").asText().equals(name)) {
        JsonNode ref = variable.at("/valueFrom/secretKeyRef");
        return ref.get("name").asText() + "/" + ref.get("key").asText();
      }
    }
    return null;
  }

  private static String mountedVolume(JsonNode deployment, String path) {
    for (JsonNode mount : worker(deployment).path("volumeMounts")) {
      if (mount.get("mountPath").asText().equals(path)) {
        return mount.get("name").asText();
      }
    }
    throw new AssertionError(
        deployment.at("/metadata/name").asText() + " mounts nothing at " + path);
  }

  private static JsonNode volume(JsonNode deployment, String name) {
    for (JsonNode volume : deployment.at("/spec/template/spec/volumes")) {
      if (volume.get("name").asText().equals(name)) {
        return volume;
      }
    }
    throw new AssertionError(deployment.at("/metadata/name").asText() + " has no volume " + name);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(item -> texts.add(item.asText()));
    return texts;
  }
}
