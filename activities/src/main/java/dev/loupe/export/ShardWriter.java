package dev.loupe.export;

import dev.loupe.export.ShardImages.EmbeddedImage;
import java.io.Closeable;
import java.io.IOException;

/** Writes the samples of one shard, with their images inside, into a local file. */
interface ShardWriter extends Closeable {
  void write(ShardSample sample, EmbeddedImage image) throws IOException;
}
