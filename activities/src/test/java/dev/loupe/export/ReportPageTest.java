package dev.loupe.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.loupe.contract.Counts;
import dev.loupe.export.ReportPage.Report;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * The page as a browser parses it (jsoup follows the HTML5 parsing rules): what users see, and that
 * no text from a run can add an element, an attribute or a script to it.
 */
class ReportPageTest {
  @Test
  void hostileTextAddsNoElementAttributeOrScript() throws IOException {
    Document page = Jsoup.parse(ReportPage.render(HostileReports.report()));

    assertThat(page.getAllElements().stream().map(Element::tagName))
        .as("elements injected by the payloads")
        .noneMatch(tag -> tag.startsWith("xss-"));
    assertThat(page.select("img").eachAttr("src"))
        .as("images: the thumbnails and placeholders, all data: URIs")
        .hasSize(4)
        .allSatisfy(source -> assertThat(source).startsWith("data:image/"));
    assertThat(attributes(page)).noneMatch(name -> name.startsWith("on"));
    assertThat(page.select("script")).hasSize(1);
    assertThat(page.selectFirst("script").data()).isEqualTo(resource("report.js"));
    assertThat(page.select("style")).hasSize(1);
    assertThat(page.selectFirst("style").data()).isEqualTo(resource("report.css"));
  }

  @Test
  void hostileTextIsShownAsWritten() {
    Document page = Jsoup.parse(ReportPage.render(HostileReports.report()));
    String shown = page.text() + " " + String.join(" ", attributeValues(page));

    for (String payload : HostileReports.PAYLOADS) {
      assertThat(shown).as("the page shows %s", payload).contains(payload);
    }
    assertThat(page.title()).isEqualTo("Loupe report · " + HostileReports.PAYLOADS.get(0));
    assertThat(page.selectFirst(".status").className())
        .isEqualTo("status status-" + HostileReports.PAYLOADS.get(1));
  }

  @Test
  void showsFiguresChartsSamplesRejectionsAndFailures() {
    Document page = Jsoup.parse(ReportPage.render(HostileReports.report()));

    assertThat(page.select(".figure")).hasSize(9);
    assertThat(page.select(".figure[style]")).hasSize(3);
    assertThat(page.select(".figure .value").eachText())
        .containsExactly("5", "2", "2", "1", "3", "12,345", "6,789", "$0.0123", "2 min 10 s");
    assertThat(page.select("h3").eachText())
        .containsExactly(
            "Outcomes",
            "Rejections by reason",
            "Tokens by stage",
            "Cost by stage",
            "Stage latency");
    assertThat(page.select("svg.donut circle")).hasSize(4); // the track and three outcomes
    assertThat(page.select("svg.bars")).hasSize(4);
    assertThat(page.select("#gallery .card")).hasSize(2);
    assertThat(page.select("#filter")).hasSize(1);
    assertThat(page.select(".card.rejected")).hasSize(2);
    assertThat(page.select("details.caption")).hasSize(1);
    assertThat(page.select("details.caption summary").text()).endsWith("… more");
    assertThat(page.select("p.caption").text()).isEqualTo(HostileReports.PAYLOADS.get(7));
    assertThat(page.select(".check.fail")).hasSize(2);
    assertThat(page.select("tbody tr")).hasSize(1);
    assertThat(page.select("footer").text()).contains("samples.jsonl", "report.html");
  }

  @Test
  void emptyRunSaysThereIsNothingToShow() {
    Report empty =
        new Report(
            "ds",
            "completed",
            "file:///out/",
            "allava",
            "2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05Z",
            0,
            Counts.ZERO,
            Map.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of("report.html"));

    Document page = Jsoup.parse(ReportPage.render(empty));

    assertThat(page.select("p.empty").eachText())
        .containsExactly(
            "Nothing was rejected.",
            "No model calls were recorded.",
            "No accepted samples.",
            "Nothing was rejected.");
    assertThat(page.select("#filter, #gallery, table, svg.bars")).isEmpty();
    assertThat(page.selectFirst("svg.donut .donut-figure").text()).isEqualTo("–");
  }

  @Test
  void refusesAStyleSheetThatClosesItsElement() {
    assertThatThrownBy(() -> ReportPage.asset("closes-its-element.css", "</style"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("closes-its-element.css must not contain </style");
  }

  private static Stream<String> attributes(Document page) {
    return page.getAllElements().stream()
        .flatMap(element -> element.attributes().asList().stream())
        .map(Attribute::getKey);
  }

  private static List<String> attributeValues(Document page) {
    return page.getAllElements().stream()
        .map(Element::attributes)
        .flatMap(attributes -> attributes.asList().stream())
        .map(Attribute::getValue)
        .toList();
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
