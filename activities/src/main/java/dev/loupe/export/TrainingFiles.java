package dev.loupe.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.loupe.contract.ExportFormats;
import dev.loupe.export.TrainingFormats.Conversation;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code llava.json} and {@code sharegpt.jsonl} written again from a finished output's {@code
 * samples*.jsonl} (for {@code loupe export --format llava|sharegpt}), streamed, with the same
 * conversion as the run's own export ({@link TrainingFormats}).
 */
public final class TrainingFiles {
  private final BlobStore blobs;
  private final ObjectMapper json;
  private final SampleRecords records;

  public TrainingFiles(BlobStore blobs, ObjectMapper recordMapper) {
    this.blobs = blobs;
    this.json = recordMapper.copy().disable(SerializationFeature.INDENT_OUTPUT);
    this.records = new SampleRecords(blobs, recordMapper);
  }

  /**
   * @param formats {@code llava} and/or {@code sharegpt}
   * @param conversation {@code multi_turn} (or null) or {@code separate}
   * @return the files written, relative to the output
   * @throws IllegalArgumentException when the output has no {@code samples.jsonl}
   */
  public List<String> write(URI output, List<String> formats, String conversation)
      throws IOException {
    URI directory = Locations.asDirectory(output);
    List<URI> files = records.files(directory);
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          output + " has no samples.jsonl: is it the output of a finished run?");
    }
    Conversation style = Conversation.of(conversation);
    boolean llavaWanted = formats.contains(ExportFormats.LLAVA);
    boolean sharegptWanted = formats.contains(ExportFormats.SHAREGPT);
    Path work = Files.createTempDirectory("loupe-training-files-");
    try {
      ShardedJsonl sharegpt = new ShardedJsonl(work, Exporter.SHAREGPT_BASE, ExportLimits.DEFAULT);
      try (sharegpt;
          OutputStream llavaOut = Files.newOutputStream(work.resolve(Exporter.LLAVA));
          JsonGenerator llava = json.getFactory().createGenerator(llavaOut)) {
        llava.writeStartArray();
        records.forEach(
            files,
            record -> {
              String image = TrainingFormats.imagePath(record.image().uri());
              for (Map.Entry<String, TrainingFormats.Sample> sample :
                  TrainingFormats.samples(record, style).entrySet()) {
                List<TrainingFormats.Turn> turns = sample.getValue().turns();
                String task = sample.getValue().task();
                json.writeValue(llava, TrainingFormats.llava(sample.getKey(), image, turns, task));
                sharegpt.write(
                    json.writeValueAsString(TrainingFormats.sharegpt(image, turns, task)));
              }
            });
        llava.writeEndArray();
      }
      List<String> written = new ArrayList<>();
      if (llavaWanted) {
        written.add(Exporter.LLAVA);
      }
      if (sharegptWanted) {
        written.addAll(sharegpt.files());
      }
      for (String file : written) {
        blobs.upload(Locations.resolve(directory, file), work.resolve(file));
      }
      return written;
    } finally {
      Exporter.deleteRecursively(work);
    }
  }
}
