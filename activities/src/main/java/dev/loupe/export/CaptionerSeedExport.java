package dev.loupe.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.RunPlan;
import dev.loupe.record.ItemRecord;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The ShareGPT4V loop's middle step: a run whose captions a frontier model wrote (the seed) becomes
 * a fine-tuning set for the captioner, in LLaVA format: one sample per accepted caption, the human
 * turn {@code <image>\n} plus the exact instruction the captioner will be given at bulk time, the
 * model turn the frontier caption. Captions the captioner itself wrote are left out, so a bulk run
 * fed back by mistake does not train the captioner on its own output.
 *
 * <p>Reads the run's {@code samples.jsonl} (or its shards), the published output contract, so a run
 * copied elsewhere exports the same; writes one JSON array, streamed.
 */
public final class CaptionerSeedExport {
  private static final Pattern SAMPLES = Pattern.compile("samples(-\\d+)?\\.jsonl");
  private static final int LIST_PAGE = 1000;

  private final BlobStore blobs;
  private final ObjectMapper json;

  public CaptionerSeedExport(BlobStore blobs, ObjectMapper recordMapper) {
    this.blobs = blobs;
    this.json = recordMapper.copy().disable(SerializationFeature.INDENT_OUTPUT);
  }

  /**
   * What was written and what was left out.
   *
   * @param samples training samples written
   * @param withoutCaption accepted records that had no caption
   * @param captionerWritten captions the captioner pool wrote, left out
   */
  public record Result(int samples, int withoutCaption, int captionerWritten) {}

  /**
   * @param runOutput the seed run's output directory (a directory or an {@code s3://} prefix)
   * @param instruction the instruction the captioner gets for an image, by the image's SHA-256
   * @param captionerEndpoint the endpoint name captioner calls are recorded under
   * @param imageRoot when not null, image paths are written relative to this directory (the
   *     trainer's image folder); otherwise as local paths or URIs
   * @param out where the JSON array goes (a file or an {@code s3://} key)
   * @throws IllegalArgumentException when the run has no samples files, or an image lies outside
   *     {@code imageRoot}
   */
  public Result export(
      URI runOutput,
      Function<String, String> instruction,
      String captionerEndpoint,
      Path imageRoot,
      URI out)
      throws IOException {
    List<URI> files = samplesFiles(Locations.asDirectory(runOutput));
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          runOutput + " has no samples.jsonl: is it the output of a finished run?");
    }
    Path work = Files.createTempFile("loupe-captioner-seed-", ".json");
    try {
      int samples = 0;
      int withoutCaption = 0;
      int captionerWritten = 0;
      try (OutputStream target = Files.newOutputStream(work);
          JsonGenerator array = json.getFactory().createGenerator(target)) {
        array.writeStartArray();
        for (URI file : files) {
          try (BufferedReader lines =
              new BufferedReader(
                  new InputStreamReader(blobs.open(file), StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = lines.readLine()) != null) {
              if (line.isBlank()) {
                continue;
              }
              ItemRecord record = json.readValue(line, ItemRecord.class);
              if (record.caption() == null
                  || record.caption().text() == null
                  || record.caption().text().isBlank()) {
                withoutCaption++;
              } else if (writtenBy(record, captionerEndpoint)) {
                captionerWritten++;
              } else {
                json.writeValue(array, sample(record, instruction, imageRoot));
                samples++;
              }
            }
          }
        }
        array.writeEndArray();
      }
      blobs.upload(out, work);
      return new Result(samples, withoutCaption, captionerWritten);
    } finally {
      Files.deleteIfExists(work);
    }
  }

  private Object sample(ItemRecord record, Function<String, String> instruction, Path imageRoot) {
    String image = TrainingFormats.imagePath(record.image().uri());
    if (imageRoot != null) {
      Path path = Path.of(image).toAbsolutePath().normalize();
      Path root = imageRoot.toAbsolutePath().normalize();
      if (!path.startsWith(root)) {
        throw new IllegalArgumentException(
            "image " + record.image().uri() + " is not under --image-root " + imageRoot);
      }
      image = root.relativize(path).toString().replace('\\', '/');
    }
    return TrainingFormats.llava(
        record.id(),
        image,
        List.of(
            new TrainingFormats.Turn(
                Objects.requireNonNull(instruction.apply(record.id()), "instruction"),
                record.caption().text())));
  }

  private static boolean writtenBy(ItemRecord record, String endpoint) {
    if (record.provenance() == null || record.provenance().calls() == null) {
      return false;
    }
    for (ModelCall call : record.provenance().calls()) {
      if (RunPlan.DESCRIBE.equals(call.stage()) && endpoint.equals(call.endpoint())) {
        return true;
      }
    }
    return false;
  }

  /** {@code samples.jsonl} and its shards directly under the directory, in name order. */
  private List<URI> samplesFiles(URI directory) throws IOException {
    String base = directory.toString();
    return blobs.list(Locations.resolve(directory, "samples"), null, LIST_PAGE).stream()
        .map(BlobStore.BlobInfo::uri)
        .filter(uri -> SAMPLES.matcher(uri.toString().substring(base.length())).matches())
        .toList();
  }
}
