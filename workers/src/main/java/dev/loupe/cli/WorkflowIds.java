package dev.loupe.cli;

import java.net.URI;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Default dataset workflow IDs: readable, from the source's name and the start time. */
final class WorkflowIds {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private WorkflowIds() {}

  static String forSource(URI source) {
    String path = source.getPath() == null ? source.toString() : source.getPath();
    String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    String name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
    String slug =
        name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
    return "loupe-" + (slug.isEmpty() ? "dataset" : slug) + "-" + LocalDateTime.now().format(STAMP);
  }
}
