package dev.loupe.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.loupe.recipe.ProjectConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Helm and kubeconform on {@code docker/helm/loupe}. Both come from {@code
 * scripts/helm-tools}, which builds them once with Go into {@code ~/.cache/loupe-tools}; the
 * schemas kubeconform checks against are vendored in {@code docker/helm/schemas}, so nothing is
 * downloaded once the tools are there.
 */
final class HelmChart {
  /** The Kubernetes release the chart is rendered for and validated against. */
  static final String KUBERNETES_VERSION = "1.33.13";

  static final String KEDA_VERSION = "v2.21.1";

  static final Path REPO = ProjectConfig.directory().getParent();
  static final Path CHART = REPO.resolve("docker/helm/loupe");
  static final Path SCHEMAS = REPO.resolve("docker/helm/schemas");

  private static final YAMLMapper YAML = new YAMLMapper();
  private static final int TIMEOUT_SECONDS = 120;
  private static final int INSTALL_TIMEOUT_SECONDS = 1800;

  private final Path helm;
  private final Path kubeconform;

  private HelmChart(Path helm, Path kubeconform) {
    this.helm = helm;
    this.kubeconform = kubeconform;
  }

  /**
   * The chart's tools, installed by {@code scripts/helm-tools} when missing.
   *
   * @throws AssertionError saying how to install them when that fails (no Go, no network)
   */
  static HelmChart tools() {
    Result installed =
        run(List.of(REPO.resolve("scripts/helm-tools").toString()), "", INSTALL_TIMEOUT_SECONDS);
    if (installed.exit() != 0) {
      throw new AssertionError(
          "helm and kubeconform are missing and scripts/helm-tools could not install them"
              + " (it needs Go 1.26+ and the Go module proxy; scripts/test runs it before Maven):\n"
              + installed.output());
    }
    String helm = null;
    String kubeconform = null;
    for (String line : installed.output().lines().toList()) {
      if (line.startsWith("HELM=")) {
        helm = line.substring("HELM=".length());
      } else if (line.startsWith("KUBECONFORM=")) {
        kubeconform = line.substring("KUBECONFORM=".length());
      }
    }
    if (helm == null || kubeconform == null) {
      throw new AssertionError("scripts/helm-tools printed no tool paths:\n" + installed.output());
    }
    return new HelmChart(Path.of(helm), Path.of(kubeconform));
  }

  /** {@code helm lint --strict} of the chart with these extra arguments (e.g. {@code -f FILE}). */
  Result lint(String... arguments) {
    List<String> command = new ArrayList<>(List.of(helm.toString(), "lint", "--strict"));
    command.add(CHART.toString());
    command.addAll(List.of(arguments));
    return run(command, "", TIMEOUT_SECONDS);
  }

  /** {@code helm template} for the Kubernetes release above; the result may be a failure. */
  Result template(String... arguments) {
    List<String> command =
        new ArrayList<>(
            List.of(
                helm.toString(),
                "template",
                "loupe",
                CHART.toString(),
                "--namespace",
                "loupe",
                "--kube-version",
                KUBERNETES_VERSION));
    command.addAll(List.of(arguments));
    return run(command, "", TIMEOUT_SECONDS);
  }

  /** The objects {@code helm template} renders; fails the test when rendering fails. */
  Rendered render(String... arguments) {
    Result result = template(arguments);
    if (result.exit() != 0) {
      throw new AssertionError("helm template " + List.of(arguments) + " failed:\n" + result);
    }
    return new Rendered(result.output(), parse(result.output()));
  }

  /**
   * {@code kubeconform -strict} of rendered YAML against the vendored schemas only: a kind without
   * a schema there is an error, not a skip.
   */
  Result validate(String yaml) {
    String kubernetes =
        SCHEMAS
            + "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}"
            + "/{{ .ResourceKind }}{{ .KindSuffix }}.json";
    String keda = SCHEMAS + "/keda-" + KEDA_VERSION + "/{{ .ResourceKind }}{{ .KindSuffix }}.json";
    return run(
        List.of(
            kubeconform.toString(),
            "-strict",
            "-summary",
            "-kubernetes-version",
            KUBERNETES_VERSION,
            "-schema-location",
            kubernetes,
            "-schema-location",
            keda,
            "-"),
        yaml,
        TIMEOUT_SECONDS);
  }

  private static List<JsonNode> parse(String yaml) {
    List<JsonNode> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (documents.hasNext()) {
        JsonNode document = documents.next();
        if (document != null && !document.isNull() && !document.isEmpty()) {
          objects.add(document);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("helm template printed invalid YAML", e);
    }
    return objects;
  }

  private static Result run(List<String> command, String input, int timeoutSeconds) {
    try {
      Path output = Files.createTempFile("helm-chart", ".out");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try (var stdin = process.getOutputStream()) {
          stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError(command + " ran past " + timeoutSeconds + " s");
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command.get(0), e);
    }
  }

  /** A command's exit status and its output (stdout and stderr together). */
  record Result(int exit, String output) {
    @Override
    public String toString() {
      return "exit " + exit + "\n" + output;
    }
  }

  /** What {@code helm template} printed, and the objects in it. */
  record Rendered(String yaml, List<JsonNode> objects) {
    List<JsonNode> ofKind(String kind) {
      return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    JsonNode named(String kind, String name) {
      return ofKind(kind).stream()
          .filter(o -> o.at("/metadata/name").asText().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }
  }
}
