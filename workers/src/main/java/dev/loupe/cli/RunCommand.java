package dev.loupe.cli;

import com.google.inject.Injector;
import dev.loupe.codec.PayloadEncryption;
import dev.loupe.codec.PayloadKeys;
import dev.loupe.config.ConfigLoader;
import dev.loupe.config.LoupeConfig;
import dev.loupe.config.TemporalSettings;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.DatasetResult;
import dev.loupe.embedded.DevServer;
import dev.loupe.embedded.InProcessTemporal;
import dev.loupe.embedded.RemoteTemporal;
import dev.loupe.embedded.SearchAttributes;
import dev.loupe.embedded.TemporalConnection;
import dev.loupe.source.SourceLister;
import dev.loupe.storage.Locations;
import dev.loupe.worker.Pool;
import dev.loupe.worker.PoolRegistrar;
import io.temporal.client.WorkflowFailedException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The main job: every pool in this process against a Temporal server: the one at {@code
 * TEMPORAL_ADDRESS}, else a {@code temporal server start-dev} child (SQLite in the output folder,
 * UI on loopback), else the in-process test server.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run a dataset in this process, with every worker pool in it.")
final class RunCommand implements Callable<Integer> {
  @Mixin DatasetOptions dataset;

  @Mixin CommonOptions common;

  @Override
  public Integer call() throws Exception {
    LoupeConfig loaded = common.load();
    ConfigLoader.requireEndpoints(loaded);
    URI sourceUri = existingSource(dataset.source);
    URI outUri = Locations.asDirectory(Locations.of(dataset.out));
    // The operator typed these two, so this process may read the one and write the other.
    LoupeConfig config =
        loaded.withMoreRoots(List.of(inputRoot(sourceUri).toString()), List.of(outUri.toString()));
    Path stateDir = stateDirectory(outUri);
    // A run in this process ends when the dataset does: by default it does not wait for retries.
    DatasetRequest request = dataset.request(sourceUri, outUri, 0.0);
    String workflowId = dataset.workflowId(sourceUri);

    Optional<DevServer> devServer = Optional.empty();
    try {
      TemporalConnection temporal;
      if (System.getenv("TEMPORAL_ADDRESS") != null) {
        temporal = RemoteTemporal.connect(config.temporal(), System.getenv());
        SearchAttributes.ensureRegistered(temporal.client(), System.err);
      } else if (DevServer.findCli().isPresent()) {
        devServer =
            Optional.of(
                DevServer.start(
                    DevServer.findCli().get(),
                    stateDir.resolve("temporal.db"),
                    stateDir.resolve("temporal.log")));
        temporal =
            RemoteTemporal.connect(
                new TemporalSettings(devServer.get().address(), "default", devServer.get().uiUrl()),
                PayloadKeys.variables(System.getenv()));
      } else {
        System.err.println(
            "loupe: warning: the `temporal` CLI is not on PATH, so this run uses Temporal's"
                + " in-process test server: nothing is durable and there is no UI. Install it with"
                + " `go install github.com/temporalio/cli/cmd/temporal@v1.5.1`.");
        temporal =
            new InProcessTemporal(
                PayloadEncryption.dataConverter(PayloadKeys.fromEnvironment(System.getenv())));
      }
      try (TemporalConnection connection = temporal) {
        Injector injector = common.injector(config, connection);
        injector
            .getInstance(PoolRegistrar.class)
            // An embedded run hosts no captioner model: that is a GPU worker's job.
            .register(connection.workerFactory(), EnumSet.complementOf(EnumSet.of(Pool.CAPTIONER)));
        connection.workerFactory().start();
        DatasetRunner runner = new DatasetRunner(connection.client());
        runner.start(workflowId, request);
        System.err.println("loupe: dataset " + workflowId + " → " + outUri);
        if (connection.uiUrl() != null) {
          System.err.println("loupe: Temporal UI: " + connection.workflowLink(workflowId));
        }
        DatasetResult result;
        try {
          result = runner.follow(workflowId, System.err, System.console() != null);
        } catch (ExecutionException failed) {
          System.err.println("loupe: the run failed: " + Summary.rootMessage(failed.getCause()));
          return 1;
        } catch (WorkflowFailedException failed) {
          System.err.println("loupe: the run failed: " + Summary.rootMessage(failed));
          return 1;
        }
        Summary.print(System.out, result);
        return 0;
      }
    } finally {
      devServer.ifPresent(DevServer::close);
    }
  }

  static URI existingSource(String source) {
    URI uri = Locations.of(source);
    if ("file".equals(uri.getScheme()) && !Files.exists(Path.of(uri))) {
      throw new UserError("source " + source + " does not exist");
    }
    return "file".equals(uri.getScheme()) && Files.isDirectory(Path.of(uri))
        ? Locations.asDirectory(uri)
        : uri;
  }

  /** The root a source needs: the directory itself, or a manifest's directory. */
  static URI inputRoot(URI source) {
    String path = source.getPath();
    return path.endsWith("/") || !SourceLister.isManifest(path)
        ? Locations.asDirectory(source)
        : source.resolve(path.substring(0, path.lastIndexOf('/') + 1));
  }

  /** Where the dev server's SQLite file lives: the output folder, or ./.loupe for S3 outputs. */
  private static Path stateDirectory(URI outUri) throws java.io.IOException {
    Path dir =
        "file".equals(outUri.getScheme()) ? Path.of(outUri).resolve(".loupe") : Path.of(".loupe");
    Files.createDirectories(dir);
    return dir;
  }
}
