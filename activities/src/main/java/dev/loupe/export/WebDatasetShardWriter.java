package dev.loupe.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.QaPair;
import dev.loupe.export.ShardImages.EmbeddedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A WebDataset shard: a POSIX tar whose consecutive members {@code <key>.<jpg|png|webp>} and {@code
 * <key>.json} make one sample ({@code <key>} is the sample id, which has no dots, so the reader's
 * key/extension split is unambiguous). The JSON holds the conversation ({@code messages}, as in
 * {@code sharegpt.jsonl}), the accepted QA pairs with every check's verdict, the caption and the
 * provenance. Members carry a fixed time so a rewritten shard has the same bytes.
 */
final class WebDatasetShardWriter implements ShardWriter {
  private static final Date FIXED_TIME = new Date(0);

  private final TarArchiveOutputStream tar;
  private final ObjectMapper json;

  WebDatasetShardWriter(Path file, ObjectMapper json) throws IOException {
    this.json = json;
    this.tar = new TarArchiveOutputStream(new BufferedOutputStream(Files.newOutputStream(file)));
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  @Override
  public void write(ShardSample sample, EmbeddedImage image) throws IOException {
    member(sample.id() + "." + image.extension(), image.bytes());
    member(sample.id() + ".json", json.writeValueAsBytes(metadata(sample, image)));
  }

  private void member(String name, byte[] content) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(content.length);
    entry.setModTime(FIXED_TIME);
    entry.setMode(0644);
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  static Map<String, Object> metadata(ShardSample sample, EmbeddedImage image) {
    var record = sample.record();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("id", sample.id());
    meta.put("image_id", record.id());
    meta.put("kind", sample.kind().config());
    meta.put("messages", sample.messages());
    meta.put("images", List.of(sample.imagePath()));
    meta.put(
        "image",
        Map.of(
            "uri", record.image().uri(),
            "width", image.width(),
            "height", image.height(),
            "extension", image.extension()));
    if (record.caption() != null) {
      meta.put("caption", record.caption());
    }
    List<QaPair> accepted = record.qaOrEmpty().stream().filter(QaPair::accepted).toList();
    if (!accepted.isEmpty()) {
      meta.put("qa", accepted);
    }
    if (record.provenance() != null) {
      meta.put("provenance", record.provenance());
    }
    return meta;
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
