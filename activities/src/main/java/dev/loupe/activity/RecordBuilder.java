package dev.loupe.activity;

import dev.loupe.contract.ImageInfo;
import dev.loupe.contract.ImageStatus;
import dev.loupe.contract.ModelCall;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.ProbeRequest;
import dev.loupe.contract.Usage;
import dev.loupe.record.ItemRecord;
import java.util.List;
import java.util.Locale;

/** Builds the persisted record of an image from what its workflow learned. */
public final class RecordBuilder {

  public ItemRecord of(PersistRequest request) {
    List<ModelCall> calls = request.calls() == null ? List.of() : request.calls();
    Usage usage = calls.stream().map(ModelCall::usage).reduce(Usage.ZERO, Usage::plus);
    ItemRecord.Image image =
        request.image() == null
            ? new ItemRecord.Image(request.item().uri(), null, null, null, sizeOrNull(request))
            : new ItemRecord.Image(
                request.image().uri(),
                request.image().width(),
                request.image().height(),
                request.image().format(),
                sizeOrNull(request));
    ItemRecord.Caption caption =
        request.caption() == null
            ? null
            : new ItemRecord.Caption(
                request.caption().text(),
                request.caption().call().model(),
                request.captionChecks() == null ? null : request.captionChecks(),
                request.caption().task());
    return new ItemRecord(
        request.item().sha256(),
        request.status().name().toLowerCase(Locale.ROOT),
        request.reason(),
        request.detail(),
        request.status() == ImageStatus.FAILED ? request.attempts() : null,
        image,
        request.ocr(),
        caption,
        request.qa() == null || request.qa().isEmpty() ? null : request.qa(),
        ItemRecord.UsageRecord.of(usage),
        new ItemRecord.Provenance(
            request.datasetId(),
            request.runToken(),
            null,
            request.item().id(),
            request.item().altText(),
            request.item().lang(),
            calls));
  }

  /** A second copy of bytes this run already has: rejected, pointing at the first. */
  ItemRecord duplicate(ProbeRequest request, ItemRecord first) {
    return new ItemRecord(
        request.item().sha256(),
        "rejected",
        "duplicate",
        "same bytes as " + (first.image() == null ? first.id() : first.image().uri()),
        null,
        new ItemRecord.Image(request.item().uri(), null, null, null, request.item().sizeBytes()),
        null,
        null,
        null,
        ItemRecord.UsageRecord.of(Usage.ZERO),
        new ItemRecord.Provenance(
            first.provenance().datasetId(),
            request.runToken(),
            null,
            request.item().id(),
            request.item().altText(),
            request.item().lang(),
            List.of()));
  }

  /** An image within a few bits of one already under the output: rejected, pointing at it. */
  ItemRecord nearDuplicate(
      ProbeRequest request, ImageInfo image, dev.loupe.record.NearDuplicateIndex.Match match) {
    return new ItemRecord(
        request.item().sha256(),
        "rejected",
        "near_duplicate",
        "perceptual hash within " + match.distance() + " bits of image " + match.sha256(),
        null,
        new ItemRecord.Image(
            image.uri(), image.width(), image.height(), image.format(), request.item().sizeBytes()),
        null,
        null,
        null,
        ItemRecord.UsageRecord.of(Usage.ZERO),
        new ItemRecord.Provenance(
            null,
            request.runToken(),
            null,
            request.item().id(),
            request.item().altText(),
            request.item().lang(),
            List.of()));
  }

  private static Long sizeOrNull(PersistRequest request) {
    return request.item().sizeBytes() >= 0 ? request.item().sizeBytes() : null;
  }
}
