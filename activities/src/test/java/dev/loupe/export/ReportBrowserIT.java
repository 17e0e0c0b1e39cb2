package dev.loupe.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.browser.BrowserCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of {@link HostileReports} in headless Chromium: a payload that escaped its text would
 * run a script (an alert dialog), add an element or an event handler, or fetch something.
 */
class ReportBrowserIT {
  @TempDir Path work;

  @Test
  void hostileTextRunsNoScriptInTheBrowser() throws Exception {
    Path page = work.resolve("report.html");
    Files.writeString(page, ReportPage.render(HostileReports.report()));
    Path screenshot = BrowserCheck.screenshot("report-hostile.png");

    JsonNode seen = BrowserCheck.run("report-check.mjs", page.toString(), screenshot.toString());

    assertThat(seen.get("dialogs")).as(seen.toString()).isEmpty();
    assertThat(seen.get("injected")).as(seen.toString()).isEmpty();
    assertThat(seen.get("errors")).as(seen.toString()).isEmpty();
    assertThat(seen.get("externalRequests")).as(seen.toString()).isEmpty();
    assertThat(seen.get("scripts").asInt()).isEqualTo(1);
    assertThat(seen.get("rendered").asInt()).isEqualTo(seen.get("images").asInt());
    assertThat(seen.get("title").asText())
        .isEqualTo("Loupe report · " + HostileReports.PAYLOADS.get(0));
    assertThat(seen.get("galleryCards").asInt()).isEqualTo(2);
    assertThat(seen.get("filtered").asInt()).isZero();
  }
}
