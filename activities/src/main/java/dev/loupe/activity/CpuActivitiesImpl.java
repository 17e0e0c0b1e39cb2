package dev.loupe.activity;

import dev.loupe.contract.CpuActivities;
import dev.loupe.contract.DatasetRequest;
import dev.loupe.contract.ExportRequest;
import dev.loupe.contract.ExportResult;
import dev.loupe.contract.ImageResult;
import dev.loupe.contract.ListFailedRequest;
import dev.loupe.contract.ListSourceRequest;
import dev.loupe.contract.OcrRequest;
import dev.loupe.contract.OcrResult;
import dev.loupe.contract.PersistRequest;
import dev.loupe.contract.ProbeRequest;
import dev.loupe.contract.ProbeResult;
import dev.loupe.contract.RunPlan;
import dev.loupe.contract.SourcePage;
import dev.loupe.export.Exporter;
import dev.loupe.export.FailedList;
import dev.loupe.image.BadImageException;
import dev.loupe.ocr.TesseractOcr;
import dev.loupe.recipe.Planner;
import dev.loupe.record.ItemStore;
import dev.loupe.source.SourceLister;
import dev.loupe.source.SourceReader;
import dev.loupe.storage.Locations;
import dev.loupe.storage.RefusedBlobException;
import io.temporal.activity.Activity;
import java.io.IOException;
import java.net.URI;

/** The CPU pool's activities: thin wrappers that classify failures at the boundary. */
public final class CpuActivitiesImpl implements CpuActivities {
  private final Planner planner;
  private final SourceLister sources;
  private final ImageProber prober;
  private final ItemStore items;
  private final RecordBuilder records;
  private final Exporter exporter;
  private final SourceReader images;
  private final TesseractOcr ocr;
  private final FailedList failed;

  public CpuActivitiesImpl(
      Planner planner,
      SourceLister sources,
      ImageProber prober,
      ItemStore items,
      RecordBuilder records,
      Exporter exporter,
      SourceReader images,
      TesseractOcr ocr,
      FailedList failed) {
    this.planner = planner;
    this.sources = sources;
    this.prober = prober;
    this.items = items;
    this.records = records;
    this.exporter = exporter;
    this.images = images;
    this.ocr = ocr;
    this.failed = failed;
  }

  @Override
  public RunPlan plan(DatasetRequest request) {
    try {
      images.roots().requireInput("source", Locations.of(request.source()));
      requireOutput(request.output());
      if (!sources.hasAny(request.source())) {
        throw ActivityFailures.invalidRequest(
            "source " + request.source() + " has no images (or does not exist)");
      }
      return planner.plan(request);
    } catch (IllegalArgumentException e) {
      throw ActivityFailures.invalidRequest(e.getMessage());
    } catch (RefusedBlobException e) {
      throw ActivityFailures.invalidRequest(e.getMessage());
    } catch (IOException e) {
      throw ActivityFailures.invalidRequest(
          "source " + request.source() + " cannot be read: " + e.getMessage());
    }
  }

  /**
   * Refuses an output outside the worker's output roots, wherever one arrives: a dataset request,
   * or an image workflow started by hand.
   */
  private void requireOutput(String output) {
    try {
      images.roots().requireOutput("output", Locations.asDirectory(Locations.of(output)));
    } catch (RefusedBlobException | IllegalArgumentException e) {
      throw ActivityFailures.invalidRequest(e.getMessage());
    }
  }

  @Override
  public SourcePage listSource(ListSourceRequest request) {
    try {
      return sources.list(request);
    } catch (RefusedBlobException e) {
      throw ActivityFailures.invalidRequest(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw ActivityFailures.invalidRequest(e.getMessage());
    } catch (IOException e) {
      throw ActivityFailures.storage("listing " + request.source(), e);
    }
  }

  @Override
  public SourcePage listFailed(ListFailedRequest request) {
    requireOutput(request.output());
    try {
      return failed.page(request);
    } catch (IOException e) {
      throw ActivityFailures.storage("listing the failed images of " + request.output(), e);
    }
  }

  @Override
  public ProbeResult probe(ProbeRequest request) {
    requireOutput(request.output());
    try {
      return prober.probe(request);
    } catch (BadImageException e) {
      throw ActivityFailures.of(e);
    } catch (IOException e) {
      throw ActivityFailures.storage("reading " + request.item().uri(), e);
    }
  }

  @Override
  public OcrResult ocr(OcrRequest request) {
    try {
      byte[] bytes = images.read(URI.create(request.image().uri()));
      return new OcrResult(ocr.read(bytes, request.languages()), request.languages());
    } catch (RefusedBlobException e) {
      throw ActivityFailures.of(new BadImageException(e.reason(), e.getMessage()));
    } catch (IOException e) {
      throw ActivityFailures.ocr(request.image().uri(), e);
    }
  }

  @Override
  public ImageResult persist(PersistRequest request) {
    requireOutput(request.output());
    try {
      if ("duplicate".equals(request.reason())) {
        items.writeDuplicate(request.output(), records.of(request));
      } else {
        items.write(request.output(), records.of(request));
      }
      return records.of(request).toResult();
    } catch (IOException e) {
      throw ActivityFailures.storage("writing the record of " + request.item().uri(), e);
    }
  }

  @Override
  public ExportResult export(ExportRequest request) {
    requireOutput(request.output());
    try {
      return exporter.export(
          request, progress -> Activity.getExecutionContext().heartbeat(progress));
    } catch (IOException e) {
      throw ActivityFailures.storage("exporting to " + request.output(), e);
    }
  }
}
