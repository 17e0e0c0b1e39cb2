package dev.loupe.activity;

import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ProbeRequest;
import dev.loupe.contract.ProbeResult;
import dev.loupe.contract.SourceItem;
import dev.loupe.image.BadImageException;
import dev.loupe.image.ContentHash;
import dev.loupe.image.ImageLimits;
import dev.loupe.image.ImageProbe;
import dev.loupe.image.PerceptualHash;
import dev.loupe.image.ProbedImage;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore;
import dev.loupe.record.NearDuplicateIndex;
import dev.loupe.source.SourceReader;
import dev.loupe.storage.RefusedBlobException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.util.Objects;
import java.util.Optional;

/**
 * The probe stage: reuse what an earlier run finished, mark a second copy of the same bytes in this
 * run as a duplicate, otherwise read the image (through the {@link SourceReader}, which keeps to
 * the worker's roots and byte limit) and check it against the limits. An item the listing refused
 * is rejected with the listing's reason, unread.
 */
public final class ImageProber {
  private final SourceReader images;
  private final ItemStore items;
  private final RecordBuilder records;
  private final ImageProbe probe;
  private final NearDuplicateIndex nearDuplicates;

  public ImageProber(
      SourceReader images,
      ItemStore items,
      RecordBuilder records,
      ImageProbe probe,
      NearDuplicateIndex nearDuplicates) {
    this.images = images;
    this.items = items;
    this.records = records;
    this.probe = probe;
    this.nearDuplicates = nearDuplicates;
  }

  public ProbeResult probe(ProbeRequest request) throws IOException, BadImageException {
    Optional<ItemRecord> existing = items.read(request.output(), request.item().sha256());
    if (existing.isPresent() && existing.get().imageStatus() != ImageStatus.FAILED) {
      ItemRecord record = existing.get();
      boolean sameRun =
          record.provenance() != null
              && Objects.equals(record.provenance().runToken(), request.runToken());
      boolean sameFile =
          record.image() != null && request.item().uri().equals(record.image().uri());
      if (sameRun && !sameFile) {
        ItemRecord duplicate = records.duplicate(request, record);
        items.writeDuplicate(request.output(), duplicate);
        return new ProbeResult(null, duplicate.toResult());
      }
      return new ProbeResult(null, record.toResult());
    }
    SourceItem.Refusal refused = request.item().refused();
    if (refused != null) {
      throw new BadImageException(refused.reason(), refused.detail());
    }
    URI uri = URI.create(request.item().uri());
    byte[] bytes;
    try {
      bytes = images.read(uri);
    } catch (NoSuchFileException missing) {
      throw new BadImageException("missing", "no image at " + uri);
    } catch (RefusedBlobException refusal) {
      throw new BadImageException(refusal.reason(), refusal.getMessage());
    }
    String sha256 = ContentHash.sha256Hex(bytes);
    if (!sha256.equals(request.item().sha256())) {
      throw new BadImageException(
          "changed", "the image at " + uri + " changed after it was listed (sha256 differs)");
    }
    ProbedImage probed =
        probe.probe(bytes, new ImageLimits(request.minShortSide(), request.maxPixels()));
    ImageInfo image =
        new ImageInfo(uri.toString(), sha256, probed.width(), probed.height(), probed.format());
    if (request.nearDuplicateDistance() > 0) {
      PerceptualHash hash = PerceptualHash.of(bytes, request.maxPixels());
      Optional<NearDuplicateIndex.Match> match =
          nearDuplicates.find(request.output(), sha256, hash, request.nearDuplicateDistance());
      if (match.isPresent()) {
        ItemRecord record = records.nearDuplicate(request, image, match.get());
        items.write(request.output(), record);
        return new ProbeResult(null, record.toResult());
      }
      nearDuplicates.add(request.output(), sha256, hash, request.nearDuplicateDistance());
    }
    return new ProbeResult(image, null);
  }
}
