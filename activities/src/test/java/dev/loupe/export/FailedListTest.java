package dev.loupe.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.contract.ListFailedRequest;
import dev.loupe.contract.SourceItem;
import dev.loupe.contract.SourcePage;
import dev.loupe.record.ItemRecord;
import dev.loupe.record.ItemStore;
import dev.loupe.record.RecordMapper;
import dev.loupe.storage.InMemoryBlobStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailedListTest {
  private static final String OUTPUT = "s3://bucket/out/";

  private final ObjectMapper mapper = RecordMapper.create();
  private final InMemoryBlobStore blobs = new InMemoryBlobStore();
  private final ItemStore items = new ItemStore(blobs, mapper);
  private final FailedList failed = new FailedList(blobs, items, mapper);

  @Test
  void pagesThroughEveryShardAndRebuildsTheSourceItems() throws IOException {
    for (int i = 0; i < 5; i++) {
      items.write(OUTPUT, failedRecord(i));
    }
    writeList("failed-00000.jsonl", 0, 1, 2);
    writeList("failed-00001.jsonl", 3, 4);

    List<SourceItem> all = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    SourcePage page;
    do {
      page = failed.page(new ListFailedRequest(OUTPUT, cursor, 2));
      all.addAll(page.items());
      cursor = page.nextCursor();
      pages++;
    } while (!page.done());

    assertThat(all)
        .extracting(SourceItem::sha256)
        .containsExactly(sha(0), sha(1), sha(2), sha(3), sha(4));
    assertThat(pages).isEqualTo(3);
    SourceItem first = all.get(0);
    assertThat(first.uri()).isEqualTo("s3://bucket/images/0.png");
    assertThat(first.altText()).isEqualTo("alt 0");
    assertThat(first.lang()).isEqualTo("zh");
    assertThat(first.id()).isEqualTo("m-0");
    assertThat(first.sizeBytes()).isEqualTo(123);
  }

  @Test
  void imagesNoLongerFailedAreSkippedWithoutEndingThePageEarly() throws IOException {
    for (int i = 0; i < 4; i++) {
      items.write(OUTPUT, failedRecord(i));
    }
    writeList("failed.jsonl", 0, 1, 2, 3);
    ItemRecord fixed = failedRecord(1);
    items.write(
        OUTPUT,
        new ItemRecord(
            fixed.id(),
            "accepted",
            null,
            null,
            null,
            fixed.image(),
            null,
            null,
            null,
            null,
            fixed.provenance()));

    SourcePage page = failed.page(new ListFailedRequest(OUTPUT, null, 2));

    assertThat(page.items()).extracting(SourceItem::sha256).containsExactly(sha(0), sha(2));
    assertThat(page.done()).isFalse();
    SourcePage rest = failed.page(new ListFailedRequest(OUTPUT, page.nextCursor(), 2));
    assertThat(rest.items()).extracting(SourceItem::sha256).containsExactly(sha(3));
    assertThat(rest.done()).isTrue();
  }

  @Test
  void anOutputWithoutFailuresListsNothing() throws IOException {
    assertThat(failed.page(new ListFailedRequest(OUTPUT, null, 10)))
        .satisfies(page -> assertThat(page.items()).isEmpty())
        .satisfies(page -> assertThat(page.done()).isTrue());
  }

  private void writeList(String name, int... ids) {
    StringBuilder lines = new StringBuilder();
    for (int id : ids) {
      lines.append("{\"id\":\"").append(sha(id)).append("\",\"failure_type\":\"transport\"}\n");
    }
    blobs.write(URI.create(OUTPUT + name), lines.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static String sha(int i) {
    return String.format("%064x", i + 1);
  }

  private static ItemRecord failedRecord(int i) {
    return new ItemRecord(
        sha(i),
        "failed",
        "transport",
        "describe: connection refused",
        3,
        new ItemRecord.Image("s3://bucket/images/" + i + ".png", null, null, null, 123L),
        null,
        null,
        null,
        null,
        new ItemRecord.Provenance("ds", "run", null, "m-" + i, "alt " + i, "zh", List.of()));
  }
}
