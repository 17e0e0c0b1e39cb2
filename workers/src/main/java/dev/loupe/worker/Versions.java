package dev.loupe.worker;

import java.util.LinkedHashMap;
import java.util.Map;

/** Component versions recorded in {@code run.json}. */
final class Versions {
  private Versions() {}

  static Map<String, String> all() {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("loupe", versionOf(Versions.class, "dev"));
    versions.put("temporal_sdk", versionOf(io.temporal.client.WorkflowClient.class, "unknown"));
    versions.put("java", Runtime.version().toString());
    return versions;
  }

  private static String versionOf(Class<?> type, String fallback) {
    String version =
        type.getPackage() == null ? null : type.getPackage().getImplementationVersion();
    return version == null ? fallback : version;
  }
}
