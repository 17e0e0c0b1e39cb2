package dev.loupe.export;

import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet pages as they are. Images are compressed already, and the writer's default codec factory
 * loads Hadoop's compression classes even for uncompressed pages; this one keeps the writer free of
 * Hadoop at run time. Shards are only written here, never read.
 */
final class UncompressedCodecs implements CompressionCodecFactory {
  private static final BytesInputCompressor PASS_THROUGH =
      new BytesInputCompressor() {
        @Override
        public BytesInput compress(BytesInput bytes) {
          return bytes;
        }

        @Override
        public CompressionCodecName getCodecName() {
          return CompressionCodecName.UNCOMPRESSED;
        }

        @Override
        public void release() {}
      };

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    if (codec != CompressionCodecName.UNCOMPRESSED) {
      throw new IllegalArgumentException("only uncompressed pages are written, not " + codec);
    }
    return PASS_THROUGH;
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    throw new UnsupportedOperationException("shards are written, not read, here");
  }

  @Override
  public void release() {}
}
