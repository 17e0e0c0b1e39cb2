package dev.loupe.record;

import dev.loupe.image.PerceptualHash;
import dev.loupe.storage.BlobStore;
import dev.loupe.storage.Locations;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * Perceptual hashes of the images under an output, for near-duplicate detection without a database:
 * each image is filed under {@code index/phash/<band>-<bits>/<sha256>-<hash>} for each of {@code
 * distance + 1} bands of its 64-bit hash. Two hashes within {@code distance} bits of each other
 * agree on at least one whole band (pigeonhole), so looking up the image's own bands finds every
 * near duplicate with a handful of listings, however large the run.
 */
public final class NearDuplicateIndex {
  static final String INDEX = "index/phash/";

  private final BlobStore blobs;

  public NearDuplicateIndex(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** A near duplicate already filed: its image hash and its distance in bits. */
  public record Match(String sha256, int distance) {}

  /**
   * The closest image within {@code distance} bits that is not this one, if any.
   *
   * @param distance 1..15
   */
  public Optional<Match> find(String output, String sha256, PerceptualHash hash, int distance)
      throws IOException {
    Match best = null;
    for (String band : bands(hash, distance)) {
      URI prefix = Locations.resolve(root(output), band + "/");
      for (BlobStore.BlobInfo entry : blobs.list(prefix, null, 1000)) {
        String name = entry.uri().getPath().substring(entry.uri().getPath().lastIndexOf('/') + 1);
        int dash = name.indexOf('-');
        if (dash != 64 || name.startsWith(sha256)) {
          continue;
        }
        int bits = hash.distanceTo(PerceptualHash.fromHex(name.substring(dash + 1)));
        if (bits <= distance && (best == null || bits < best.distance())) {
          best = new Match(name.substring(0, dash), bits);
        }
      }
    }
    return Optional.ofNullable(best);
  }

  /** Files the image under each of its bands. Rewriting is harmless. */
  public void add(String output, String sha256, PerceptualHash hash, int distance)
      throws IOException {
    for (String band : bands(hash, distance)) {
      blobs.write(
          Locations.resolve(root(output), band + "/" + sha256 + "-" + hash.toHex()), new byte[0]);
    }
  }

  static java.util.List<String> bands(PerceptualHash hash, int distance) {
    if (distance < 1 || distance > 15) {
      throw new IllegalArgumentException(
          "near-duplicate distance must be within 1..15: " + distance);
    }
    int count = distance + 1;
    java.util.List<String> bands = new java.util.ArrayList<>();
    int start = 0;
    for (int band = 0; band < count; band++) {
      int width = 64 / count + (band < 64 % count ? 1 : 0);
      long bits = (hash.bits() >>> start) & ((1L << width) - 1);
      bands.add(distance + "." + band + "-" + Long.toHexString(bits));
      start += width;
    }
    return bands;
  }

  private static URI root(String output) {
    return Locations.resolve(Locations.asDirectory(Locations.of(output)), INDEX);
  }
}
