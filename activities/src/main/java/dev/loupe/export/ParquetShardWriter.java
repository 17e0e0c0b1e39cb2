package dev.loupe.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.export.ShardImages.EmbeddedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * A Parquet shard that Hugging Face {@code datasets} loads as it is: {@code id}, {@code image_id},
 * {@code kind}, {@code messages} (a list of {@code role}/{@code content}, as in {@code
 * sharegpt.jsonl}) and {@code images}, a list of {@code datasets} Image values (a struct of {@code
 * bytes} and {@code path}), with the features declared in the file's {@code huggingface} metadata
 * so the images decode without a loading script. Row groups hold at most {@value #ROWS_PER_GROUP}
 * rows (what the Hub writes for image sets), so a streaming reader holds little at a time; pages
 * are not compressed, since images are compressed already.
 */
final class ParquetShardWriter implements ShardWriter {
  static final int ROWS_PER_GROUP = 100;
  private static final long ROW_GROUP_BYTES = 64L * 1024 * 1024;

  static final MessageType SCHEMA =
      MessageTypeParser.parseMessageType(
          """
          message sample {
            optional binary id (STRING);
            optional binary image_id (STRING);
            optional binary kind (STRING);
            optional group messages (LIST) {
              repeated group list {
                optional group element {
                  optional binary role (STRING);
                  optional binary content (STRING);
                }
              }
            }
            optional group images (LIST) {
              repeated group list {
                optional group element {
                  optional binary bytes;
                  optional binary path (STRING);
                }
              }
            }
          }
          """);

  private final ParquetWriter<Group> writer;
  private final SimpleGroupFactory rows = new SimpleGroupFactory(SCHEMA);

  ParquetShardWriter(Path file, ObjectMapper json) throws IOException {
    this.writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withConf(new PlainParquetConfiguration())
            .withType(SCHEMA)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
            .withCodecFactory(new UncompressedCodecs())
            .withRowGroupSize(ROW_GROUP_BYTES)
            .withRowGroupRowCountLimit(ROWS_PER_GROUP)
            .withDictionaryEncoding(false)
            .withExtraMetaData(Map.of("huggingface", json.writeValueAsString(features())))
            .build();
  }

  @Override
  public void write(ShardSample sample, EmbeddedImage image) throws IOException {
    Group row = rows.newGroup();
    row.add("id", sample.id());
    row.add("image_id", sample.record().id());
    row.add("kind", sample.kind().config());
    Group messages = row.addGroup("messages");
    for (Map<String, String> message : sample.messages()) {
      Group element = messages.addGroup("list").addGroup("element");
      element.add("role", message.get("role"));
      element.add("content", message.get("content"));
    }
    Group element = row.addGroup("images").addGroup("list").addGroup("element");
    element.add("bytes", org.apache.parquet.io.api.Binary.fromConstantByteArray(image.bytes()));
    element.add("path", sample.id() + "." + image.extension());
    writer.write(row);
  }

  /** The columns as {@code datasets} Features: what makes {@code images} decode to pictures. */
  static Map<String, Object> features() {
    Map<String, Object> string = Map.of("dtype", "string", "_type", "Value");
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("role", string);
    message.put("content", string);
    Map<String, Object> features = new LinkedHashMap<>();
    features.put("id", string);
    features.put("image_id", string);
    features.put("kind", string);
    features.put("messages", List.of(message));
    features.put("images", List.of(Map.of("_type", "Image")));
    return Map.of("info", Map.of("features", features));
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }
}
